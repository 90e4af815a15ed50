#!/usr/bin/env python3
# ptydrive.py STEPS -- COMMAND...: runs COMMAND on a new pseudo-terminal, as
# a user at a terminal would, for the tests of attach -t.  STEPS is a
# ";"-separated list of "sleep:SECONDS" (reading the output meanwhile) and
# "send:TEXT" (TEXT with Python escapes, \x10 for ctrl-p, written in one
# write).  Prints what COMMAND wrote (Python repr), then "rc=CODE", or
# rc=TIMEOUT when it did not end 10 seconds after the last step (it is
# then killed).  The terminal is 30 rows by 100 columns.
import fcntl
import os
import pty
import struct
import termios
import select
import sys
import time

steps = sys.argv[1].split(";")
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
# A terminal of 30 rows and 100 columns.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
out = b""


def drain(seconds):
    global out
    end = time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0:
            return
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            return
        if not data:
            return
        out += data


for step in steps:
    kind, value = step.split(":", 1)
    if kind == "sleep":
        drain(float(value))
    elif kind == "send":
        os.write(fd, value.encode().decode("unicode_escape").encode("latin1"))
deadline = time.time() + 10
status = None
while time.time() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
    drain(0.1)
drain(0.2)
print(repr(out))
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    print("rc=TIMEOUT")
else:
    print("rc=%d" % os.waitstatus_to_exitcode(status))
