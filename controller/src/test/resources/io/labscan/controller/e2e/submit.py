"""A user's newsletter handed to the local relay on loopback, which sends it on to the MX.

usage: submit.py MARKER FROM TO
"""
import smtplib
import sys

marker, sender, to = sys.argv[1], sys.argv[2], sys.argv[3]
message = (
    "From: %(sender)s\r\nTo: %(to)s\r\nSubject: seminar newsletter\r\nMessage-ID: <%(marker)s@relay>\r\n\r\n"
    "Thursday, room 2.14.\r\n"
) % {"sender": sender, "to": to, "marker": marker}
session = smtplib.SMTP("127.0.0.1", 25, local_hostname="relay", timeout=30)
session.sendmail(sender, [to], message.encode("ascii"))
session.quit()
