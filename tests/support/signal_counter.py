"""A command for aec's --exec signal tests: counts the signals it gets.

Usage: python3 signal_counter.py SIGNAL...
Prints "ready PPID" (its parent is aec), waits for the first of the named
signals (at most 20 seconds, so that a test fails rather than hangs), gives a
duplicate one second to arrive, then prints "got NAME..." with every signal
received, fetches the served credentials when
AWS_CONTAINER_CREDENTIALS_FULL_URI is set (printing "served KEY_ID"), and exits 3.
Python runs a handler per delivery, unlike a shell's trap, so duplicates show.
"""

import json
import os
import signal
import sys
import time
import urllib.request

got = []
for name in sys.argv[1:]:
    signal.signal(getattr(signal, name), lambda n, _: got.append(signal.Signals(n).name))
print(f"ready {os.getppid()}", flush=True)
deadline = time.monotonic() + 20
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(1)
print("got " + " ".join(got), flush=True)
uri = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
if uri:
    token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    request = urllib.request.Request(uri, headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=10) as response:
        print("served " + json.load(response)["AccessKeyId"], flush=True)
sys.exit(3)
