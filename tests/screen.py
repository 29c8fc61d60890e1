#!/usr/bin/env python3
"""Read what mping --live wrote to a terminal (file in argv[1]).

screen.py FILE frame [N] the last frame drawn before the view was left
                         (N: frame N, from 0; -2 the one before the last),
                         escapes removed, one row per line
screen.py FILE after     what was written after the view was left,
                         escapes removed
screen.py FILE check     exit 1 unless the view was entered and left, the
                         cursor hidden then shown again, line wrap restored,
                         and nothing but the final text follows
screen.py FILE count     how many frames were drawn
"""
import re
import sys

ENTER = b"\x1b[?1049h"
LEAVE = b"\x1b[?1049l"
HOME = b"\x1b[H"
CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")

data = open(sys.argv[1], "rb").read()
what = sys.argv[2]
if what == "check":
    e, l = data.rfind(ENTER), data.rfind(LEAVE)
    ok = (e != -1 and l > e and data.count(ENTER) == data.count(LEAVE)
          and data.rfind(b"\x1b[?25h") > data.rfind(b"\x1b[?25l")
          and data.rfind(b"\x1b[?7h") > data.rfind(b"\x1b[?7l"))
    sys.exit(0 if ok else 1)
view = data[data.rfind(ENTER):data.rfind(LEAVE)]
if what == "count":
    print(view.count(HOME))
elif what == "frame":
    if len(sys.argv) > 3:
        frames = [f for f in view.split(HOME)[1:] if CSI.sub(b"", f).strip()]
        frame = HOME + frames[int(sys.argv[3])]
    else:
        frame = view[view.rfind(HOME):]
    text = CSI.sub(b"", frame).replace(b"\r", b"")
    sys.stdout.buffer.write(text.rstrip(b"\n") + b"\n")
elif what == "after":
    rest = data[data.rfind(LEAVE) + len(LEAVE):]
    sys.stdout.buffer.write(CSI.sub(b"", rest).replace(b"\r", b""))
