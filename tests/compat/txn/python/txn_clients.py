# Transactional producers of confluent-kafka (librdkafka) and kafka-python 3, each checked with a read_committed
# consumer of the same library, for run-txn.sh; runs under .cache/venv. The TOPIC (2 partitions) is made
# beforehand (TxnCheck.java setup).
# Usage: txn_clients.py confluent|kafkapython BOOTSTRAP TOPIC TXID
# Commits 30 records ("c1-*"), aborts 30 ("a1-*"), commits 30 ("c2-*"); then holds a transaction open
# ("o-*", flushed) while a read_committed consumer reads: it must see c1 and c2 once each, no a1 and no o;
# after the commit it must see o too. A read_uncommitted consumer must see every record. Prints one line
# per check ("ok ..." / "FAIL ..."), then PASS or FAILED N; exits 1 on any failure.
import sys
import time

problems = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        problems.append(what)


def values(prefix, n):
    return [f"{prefix}-{i}" for i in range(n)]


class Confluent:
    def __init__(self, bootstrap, topic, txid):
        import confluent_kafka
        self.ck = confluent_kafka
        self.bootstrap, self.topic = bootstrap, topic
        self.producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "transactional.id": txid,
                                                  "transaction.timeout.ms": 60000})
        self.producer.init_transactions(30)

    def begin(self):
        self.producer.begin_transaction()

    def send(self, prefix, n):
        failures = []
        for i, v in enumerate(values(prefix, n)):
            self.producer.produce(self.topic, value=v.encode(), key=v.encode(), partition=i % 2,
                                  on_delivery=lambda err, _msg: err and failures.append(err))
        self.producer.flush(30)
        if failures:
            raise RuntimeError(f"delivery failed: {failures[:3]}")

    def commit(self):
        self.producer.commit_transaction(30)

    def abort(self):
        self.producer.abort_transaction(30)

    def consumer(self, isolation):
        c = self.ck.Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"unused-{time.time()}",
                              "enable.auto.commit": False, "isolation.level": isolation})
        c.assign([self.ck.TopicPartition(self.topic, p, self.ck.OFFSET_BEGINNING) for p in (0, 1)])
        return c

    @staticmethod
    def poll(c, seconds):
        out = []
        until = time.time() + seconds
        while time.time() < until:
            for m in c.consume(100, 0.2):
                if m.error() is None:
                    out.append(m.value().decode())
        return out

    def close(self, c):
        c.close()


class KafkaPython:
    def __init__(self, bootstrap, topic, txid):
        import kafka
        self.kafka = kafka
        self.bootstrap, self.topic = bootstrap, topic
        self.producer = kafka.KafkaProducer(bootstrap_servers=bootstrap, transactional_id=txid,
                                            transaction_timeout_ms=60000)
        self.producer.init_transactions()

    def begin(self):
        self.producer.begin_transaction()

    def send(self, prefix, n):
        futures = [self.producer.send(self.topic, value=v.encode(), key=v.encode(), partition=i % 2)
                   for i, v in enumerate(values(prefix, n))]
        self.producer.flush(30)
        for f in futures:
            f.get(30)

    def commit(self):
        self.producer.commit_transaction()

    def abort(self):
        self.producer.abort_transaction()

    def consumer(self, isolation):
        c = self.kafka.KafkaConsumer(bootstrap_servers=self.bootstrap, isolation_level=isolation,
                                     enable_auto_commit=False)
        parts = [self.kafka.TopicPartition(self.topic, p) for p in (0, 1)]
        c.assign(parts)
        c.seek_to_beginning(*parts)
        return c

    @staticmethod
    def poll(c, seconds):
        out = []
        until = time.time() + seconds
        while time.time() < until:
            for records in c.poll(200).values():
                out.extend(r.value.decode() for r in records)
        return out

    def close(self, c):
        c.close()


def read_until(client, c, want, seconds):
    """Polls until `want` records came or `seconds` passed, then 2 s more (a duplicate or extra would show)."""
    got = []
    until = time.time() + seconds
    while time.time() < until and len(got) < want:
        got.extend(client.poll(c, 0.5))
    got.extend(client.poll(c, 2))
    return got


def main(argv):
    if len(argv) != 4 or argv[0] not in ("confluent", "kafkapython"):
        print(__doc__ or "usage: txn_clients.py confluent|kafkapython BOOTSTRAP TOPIC TXID", file=sys.stderr)
        return 2
    kind, bootstrap, topic, txid = argv
    client = (Confluent if kind == "confluent" else KafkaPython)(bootstrap, topic, txid)
    committed, aborted = values("c1", 30) + values("c2", 30), values("a1", 30)
    client.begin(); client.send("c1", 30); client.commit()
    client.begin(); client.send("a1", 30); client.abort()
    client.begin(); client.send("c2", 30); client.commit()

    rc = client.consumer("read_committed")
    got = read_until(client, rc, len(committed), 30)
    check(sorted(got) == sorted(committed),
          f"read_committed reads the {len(committed)} committed records once each, no aborted one "
          f"(got {len(got)}, aborted among them {len([v for v in got if v in aborted])})")
    ru = client.consumer("read_uncommitted")
    got = read_until(client, ru, len(committed) + len(aborted), 30)
    check(sorted(got) == sorted(committed + aborted),
          f"read_uncommitted reads all {len(committed) + len(aborted)} records (got {len(got)})")
    client.close(ru)

    client.begin(); client.send("o", 20)
    got = client.poll(rc, 5)
    check(got == [], f"while a transaction is open (20 records flushed), read_committed reads nothing more for 5 s "
                     f"(got {len(got)}: {got[:5]})")
    client.commit()
    got = read_until(client, rc, 20, 30)
    check(sorted(got) == sorted(values("o", 20)), f"after the commit, read_committed reads the 20 (got {len(got)})")
    client.close(rc)
    print("PASS" if not problems else f"FAILED {len(problems)}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
