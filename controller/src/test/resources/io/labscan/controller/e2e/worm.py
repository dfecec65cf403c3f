"""A stand-in for Klez's SMTP engine: mails straight to the recipient's MX with a forged From:.

usage: worm.py MX_IP COUNT HOLD_SECONDS MARKER FORGED_FROM TO FORGED_IP

Harmless: it sends COUNT plain messages whose attachment is a line of text. Each session waits
HOLD_SECONDS before each SMTP command, as a dialogue across the Internet does; 0 gives the
millisecond sessions of a LAN. Like the worm, it writes a fake Received: line below the real
ones, naming the forged sender's machine and its address FORGED_IP.
"""
import smtplib
import sys
import time

mx, count, hold, marker, forged, to, forged_ip = (
    sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7])
domain = forged.split("@", 1)[1]

for i in range(count):
    message = (
        "Received: from harold-pc ([%(forged_ip)s]) by mx.%(domain)s with SMTP; Mon, 23 Nov 2026 08:00:00 +0000\r\n"
        "From: Harold <%(forged)s>\r\n"
        "To: %(to)s\r\n"
        "Subject: meeting notice\r\n"
        "Message-ID: <%(marker)s-%(i)d@harold-pc>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"klez-test\"\r\n"
        "\r\n"
        "--klez-test\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "Please see the attached notice.\r\n"
        "--klez-test\r\n"
        "Content-Type: application/octet-stream; name=\"notice.txt.pif\"\r\n"
        "Content-Disposition: attachment; filename=\"notice.txt.pif\"\r\n"
        "\r\n"
        "harmless test bytes, not a program\r\n"
        "--klez-test--\r\n"
    ) % {"domain": domain, "forged": forged, "to": to, "marker": marker, "i": i, "forged_ip": forged_ip}
    session = smtplib.SMTP(mx, 25, local_hostname="harold-pc", timeout=30)
    time.sleep(hold)
    session.ehlo("harold-pc")
    time.sleep(hold)
    session.mail(forged)
    time.sleep(hold)
    session.rcpt(to)
    time.sleep(hold)
    session.data(message.encode("ascii"))
    time.sleep(hold)
    session.quit()
