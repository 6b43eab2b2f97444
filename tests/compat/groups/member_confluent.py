# One consumer-group member for the group checks, through confluent-kafka (librdkafka). Same output as
# member_kafka_python.py. Usage: python member_confluent.py HOST:PORT TOPIC GROUP RESET COMMIT SESSION_MS
import signal
import sys

from confluent_kafka import Consumer

bootstrap, topic, group, reset, commit, session_ms = sys.argv[1:7]
owned = set()


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def on_assign(consumer, partitions):
    owned.update(tp.partition for tp in partitions)
    say("A " + ",".join(str(p) for p in sorted(owned)))


def on_revoke(consumer, partitions):
    owned.difference_update(tp.partition for tp in partitions)
    say("A " + ",".join(str(p) for p in sorted(owned)))


settings = {"bootstrap.servers": bootstrap, "group.id": group}
if reset != "default":
    settings["auto.offset.reset"] = reset
if commit != "auto":
    settings["enable.auto.commit"] = False
if session_ms != "default":
    settings["session.timeout.ms"] = int(session_ms)
    settings["heartbeat.interval.ms"] = max(500, int(session_ms) // 6)
consumer = Consumer(settings)
consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
running = [True]
signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
while running[0]:
    msg = consumer.poll(0.2)
    if msg is None or msg.error():
        continue
    say(f"R {msg.partition()} {msg.offset()} {msg.value().decode()}")
    if commit == "sync":
        consumer.commit(message=msg, asynchronous=False)
consumer.close()
say("CLOSED")
