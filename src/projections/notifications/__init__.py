"""Notifications (R31, API.md v1.1 "Notifications", ADR 0025).

- `view`: a follower of the event stream (the views' engine: its rows and its position in
  one transaction) that decides who is told of what, and writes each notification and its
  e-mail (the outbox row) together;
- `reminders`: time-driven reminders for what still waits, once per (item, due number);
- `sender`: delivers the outbox by SMTP or as `.eml` files, retried with back-off;
- `store`: what the API and the operators read and change (lists, read marks, e-mail
  claims, the outbox's state);
- `service`: all of it in one process (`kompetanse notifications run`, a child of
  `kompetanse serve --workers N`, or threads of the embedded server).
"""
