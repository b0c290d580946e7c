"""English times on the 24-hour clock, as the rest of the app writes them ("16:30", not "4:30 p.m.").

Only the time parts differ from Django's English formats.
"""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
