#!/usr/bin/env python3
"""mkmail.py: write a test mail message, as an MTA would deliver it.

mkmail.py OUT --from ADDR [--to ADDR] [--subject S] [--auth VALUE]...
    [--header NAME:VALUE]... [--attach PATH[=NAME]]... [--raw-name]

--auth adds an Authentication-Results header (in order, first on top).
"""
import argparse
import email.policy
from email.message import EmailMessage
from email.utils import make_msgid

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--from", dest="frm", required=True)
p.add_argument("--to", default="orders@formix.test")
p.add_argument("--subject", default="order")
p.add_argument("--auth", action="append", default=[])
p.add_argument("--header", action="append", default=[])
p.add_argument("--attach", action="append", default=[])
a = p.parse_args()

m = EmailMessage(policy=email.policy.SMTP)
for v in a.auth:
    m["Authentication-Results"] = v
for h in a.header:
    k, v = h.split(":", 1)
    m[k] = v.strip()
m["From"] = a.frm
m["To"] = a.to
m["Subject"] = a.subject
m["Message-ID"] = make_msgid(domain="dealer.test")
m.set_content("Please see the order attached.\n")
for spec in a.attach:
    path, _, name = spec.partition("=")
    name = name or path.rsplit("/", 1)[-1]
    with open(path, "rb") as f:
        data = f.read()
    m.add_attachment(data, maintype="application",
                     subtype="octet-stream", filename=name)
with open(a.out, "wb") as f:
    f.write(m.as_bytes())
