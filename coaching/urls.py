from django.urls import path

from . import views as coaching

app_name = "coaching"

urlpatterns = [
    path("book/", coaching.book, name="book"),
    path("agenda/", coaching.agenda, name="agenda"),
    path("agenda.ics", coaching.agenda_ics, name="agenda_ics"),
    path("organizations/<int:pk>/", coaching.organization_page, name="organization"),
    path("organizations/<int:pk>/goals/", coaching.goal_add, name="goal_add"),
    path("organizations/<int:pk>/sessions/", coaching.session_add, name="session_add"),
    path("organizations/<int:pk>/manager/", coaching.reassign, name="reassign"),
    path("goals/<int:pk>/status/", coaching.goal_status, name="goal_status"),
    path("sessions/<int:pk>/", coaching.session_page, name="session"),
    path("sessions/<int:pk>/cancel/", coaching.session_cancel, name="session_cancel"),
    path("items/<int:pk>/done/", coaching.item_complete, name="item_done"),
    path("balance/", coaching.balance, name="balance"),
    path("balance/invite/", coaching.balance_invite, name="manager_invite"),
    path("balance/rebalance/", coaching.balance_rebalance, name="rebalance"),
    path("balance/assign/", coaching.balance_assign, name="assign"),
    path("managers/<int:pk>/", coaching.manager_actions, name="manager"),
    path("managers/<int:pk>/book/", coaching.book_move, name="book_move"),
]
