from django.urls import path

from . import views as coaching

app_name = "coaching"

urlpatterns = [
    path("book/", coaching.book, name="book"),
    path("agenda/", coaching.agenda, name="agenda"),
    path("agenda.ics", coaching.agenda_ics, name="agenda_ics"),
    path("organizations/<int:pk>/", coaching.organization_page, name="organization"),
    path("sessions/<int:pk>/", coaching.session_page, name="session"),
    path("items/<int:pk>/done/", coaching.item_complete, name="item_done"),
    path("balance/", coaching.balance, name="balance"),
    path("managers/<int:pk>/", coaching.manager_actions, name="manager"),
]
