# One consumer-group member for the group checks (kafka-python 2.0.2 or 3.x, whichever interpreter runs it).
# Prints `A p,p,...` (its whole assignment) after every rebalance and `R partition offset value` per record.
# Usage: python member_kafka_python.py HOST:PORT TOPIC GROUP RESET(earliest|latest|default) COMMIT(auto|sync|none) SESSION_MS
import signal
import sys

from kafka import ConsumerRebalanceListener, KafkaConsumer

bootstrap, topic, group, reset, commit, session_ms = sys.argv[1:7]
owned = set()


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        owned.difference_update(tp.partition for tp in revoked)
        say("A " + ",".join(str(p) for p in sorted(owned)))

    def on_partitions_assigned(self, assigned):
        owned.update(tp.partition for tp in assigned)
        say("A " + ",".join(str(p) for p in sorted(owned)))


settings = {"bootstrap_servers": bootstrap, "group_id": group}
if reset != "default":
    settings["auto_offset_reset"] = reset
if commit != "auto":
    settings["enable_auto_commit"] = False
if session_ms != "default":
    settings["session_timeout_ms"] = int(session_ms)
    settings["heartbeat_interval_ms"] = max(500, int(session_ms) // 6)
consumer = KafkaConsumer(**settings)
consumer.subscribe([topic], listener=Listener())
running = [True]
signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
while running[0]:
    batches = consumer.poll(timeout_ms=200)
    for records in batches.values():
        for r in records:
            say(f"R {r.partition} {r.offset} {r.value.decode()}")
    if batches and commit == "sync":
        consumer.commit()
consumer.close(autocommit=commit != "none")
say("CLOSED")
