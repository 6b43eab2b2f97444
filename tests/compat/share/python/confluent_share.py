# Share-group (KIP-932) worker built on confluent-kafka's ShareConsumer (librdkafka), for run-share.sh; runs
# under .cache/venv (PyPI confluent-kafka, pinned in .ci/install-peers.sh). The topic and the group's
# share.auto.offset.reset are set up beforehand (ShareWorker.java setup).
# CONFLUENT_DEBUG=protocol,cgrp turns on librdkafka's debug log (stderr).
# Usage: confluent_share.py worker BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE
#          explicit acknowledgement: accepts every record; appends "offset value deliveryCount" per record
#          once commit_sync confirmed it
#        confluent_share.py relrej BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE RELEASE REJECT
#          RELEASEs the record whose value is RELEASE on its first delivery (accepts it when it comes back),
#          REJECTs the record whose value is REJECT, accepts the others; appends "offset value count TYPE"
#        confluent_share.py closeacks BOOTSTRAP TOPIC GROUP OUTFILE COUNT
#          acknowledge()s COUNT records as ACCEPT without committing, then close(), which must send them;
#          appends "offset value deliveryCount" per record acknowledged
import os
import sys
import time

import confluent_kafka
from confluent_kafka import AcknowledgeType, ShareConsumer


def close_acks(bootstrap, topic, group, out_file, count):
    consumer = ShareConsumer({"bootstrap.servers": bootstrap, "group.id": group,
                              "share.acknowledgement.mode": "explicit"})
    consumer.subscribe([topic])
    lines = []
    deadline = time.time() + 60
    while len(lines) < count and time.time() < deadline:
        for message in consumer.poll(0.2):
            if message.error() is None:
                consumer.acknowledge(message, AcknowledgeType.ACCEPT)
                lines.append(f"{message.offset()} {message.value().decode()} {message.delivery_count()}")
    consumer.close()
    with open(out_file, "a") as out:
        out.writelines(line + "\n" for line in lines)
    return 0 if len(lines) >= count else 1


def main(argv):
    if len(argv) == 6 and argv[0] == "closeacks":
        return close_acks(argv[1], argv[2], argv[3], argv[4], int(argv[5]))
    if len(argv) < 6 or argv[0] not in ("worker", "relrej") or (argv[0] == "relrej" and len(argv) < 8):
        print(__doc__ or "usage: confluent_share.py worker|relrej BOOTSTRAP TOPIC GROUP OUTFILE STOPFILE [RELEASE REJECT]",
              file=sys.stderr)
        return 2
    mode, bootstrap, topic, group, out_file, stop_file = argv[:6]
    release_value, reject_value = (argv[6], argv[7]) if mode == "relrej" else (None, None)
    config = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "share.acknowledgement.mode": "explicit",
    }
    if os.environ.get("CONFLUENT_DEBUG"):  # e.g. "protocol,cgrp": librdkafka's debug contexts, on stderr
        config["debug"] = os.environ["CONFLUENT_DEBUG"]
    consumer = ShareConsumer(config)
    consumer.subscribe([topic])
    try:
        with open(out_file, "a", buffering=1) as out:
            while not os.path.exists(stop_file):
                lines = []
                for message in consumer.poll(0.2):
                    if message.error() is not None:
                        print(f"poll error: {message.error()}", file=sys.stderr)
                        continue
                    value = message.value().decode()
                    count = message.delivery_count()
                    ack, name = AcknowledgeType.ACCEPT, "ACCEPT"
                    if value == release_value and count == 1:
                        ack, name = AcknowledgeType.RELEASE, "RELEASE"
                    elif mode == "relrej" and value == reject_value:
                        ack, name = AcknowledgeType.REJECT, "REJECT"
                    consumer.acknowledge(message, ack)
                    line = f"{message.offset()} {value} {count}"
                    lines.append(line + (f" {name}" if mode == "relrej" else ""))
                if not lines:
                    continue
                # Only records whose acknowledgement the broker confirmed are written.
                results = consumer.commit_sync(30)
                failed = {str(tp): err for tp, err in results.items() if err is not None}
                if failed:
                    print(f"acknowledgement failed: {failed}; {len(lines)} records not counted", file=sys.stderr)
                    continue
                for line in lines:
                    out.write(line + "\n")
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    print(f"confluent-kafka {confluent_kafka.version()[0]} librdkafka {confluent_kafka.libversion()[0]}",
          file=sys.stderr)
    sys.exit(main(sys.argv[1:]))
