"""Number formats for Simplified Chinese, where Django's own leave numbers ungrouped. Business
readers in mainland China (the program's staff and MCN agencies) read figures grouped by thousands
with commas, as in reports and spreadsheets: 1,234,567. Everything else is Django's."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
