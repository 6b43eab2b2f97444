# One consumer-group member for the group checks, through `kcat -G` (balanced consumer). kcat reports its
# assignment on stderr only, so this wrapper turns those lines into the `A ...` lines the checks read.
# Usage: python member_kcat.py HOST:PORT TOPIC GROUP RESET COMMIT SESSION_MS
import re
import signal
import subprocess
import sys
import threading

bootstrap, topic, group, reset, commit, session_ms = sys.argv[1:7]
argv = ["kcat", "-b", bootstrap, "-G", group, "-u", "-f", "R %p %o %s\\n"]
# Not `-o beginning|end`: kcat -G applies -o to every assigned partition, ignoring committed offsets.
if reset != "default":
    argv += ["-X", f"auto.offset.reset={reset}"]
# kcat has no per-record commit: `sync` keeps auto commit, and kcat commits what it consumed when it closes.
if commit == "none":
    argv += ["-X", "enable.auto.commit=false"]
if session_ms != "default":
    argv += ["-X", f"session.timeout.ms={session_ms}", "-X", f"heartbeat.interval.ms={max(500, int(session_ms) // 6)}"]
argv.append(topic)
owned = set()
out_lock = threading.Lock()


def say(line):
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


kcat = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
say(f"P {kcat.pid}")  # the crash check SIGKILLs kcat itself, not this wrapper alone
signal.signal(signal.SIGTERM, lambda *_: kcat.terminate())


def read_stderr():
    for line in kcat.stderr:
        sys.stderr.write(line)
        parts = [int(p) for p in re.findall(r"\[(\d+)\]", line)]
        if "assigned:" in line:
            owned.update(parts)
            say("A " + ",".join(str(p) for p in sorted(owned)))
        elif "revoked:" in line:
            owned.difference_update(parts)
            say("A " + ",".join(str(p) for p in sorted(owned)))


threading.Thread(target=read_stderr, daemon=True).start()
for line in kcat.stdout:
    if line.startswith("R "):
        say(line.rstrip("\n"))
kcat.wait()
say("CLOSED")
