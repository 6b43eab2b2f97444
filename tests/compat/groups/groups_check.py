# Consumer-group checks with real client processes: starts member programs (member_*.py, member-kafkajs.mjs,
# java/GroupMember.java), produces with kafka-python, and judges what each member printed.
# Usage: python3 groups_check.py HOST:PORT PREFIX CHECK [CLIENT]
#   CHECK: split CLIENT | latest | crash CLIENT | restart-before CLIENT | restart-after CLIENT | tool | rebalance-time CLIENT
#          | live-restart CLIENT (asks run-groups.sh to restart the broker through files in GROUPS_LOG_DIR)
# Prints `ok ...` and exits 0, or `FAIL <check>: <reason>` on stderr and exits 1.
import os
import signal
import subprocess
import sys
import threading
import time

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PARTITIONS = 6
ALL = set(range(PARTITIONS))
JAVA_CP = f"{ROOT}/.cache/groups-java:{ROOT}/.cache/java-libs/*"
JAVA = ["java", f"-Dlog4j2.configurationFile={ROOT}/tests/compat/java/log4j2.properties", "-cp", JAVA_CP]
CLIENTS = {
    "kafka-python-2.0.2": (["/usr/bin/python3", f"{HERE}/member_kafka_python.py"], []),
    "kafka-python-3": ([f"{ROOT}/.cache/venv/bin/python", f"{HERE}/member_kafka_python.py"], []),
    "confluent-kafka": (["/usr/bin/python3", f"{HERE}/member_confluent.py"], []),
    "kafkajs": (["node", f"{HERE}/member-kafkajs.mjs"], []),
    "platformatic": (["node", f"{HERE}/member-platformatic.mjs"], []),
    "kcat": (["/usr/bin/python3", f"{HERE}/member_kcat.py"], []),
    "java-classic": (JAVA + ["brook.groups.GroupMember"], ["classic"]),
    "java-consumer": (JAVA + ["brook.groups.GroupMember"], ["consumer"]),
}
# KIP-848 members get their session timeout from the broker (run-groups.sh starts it with 10000 ms).
BROKER_SESSION_MS = {"java-consumer": 10000}
LOG_DIR = os.environ.get("GROUPS_LOG_DIR", "/tmp")
check_name = "groups"


def fail(message):
    print(f"FAIL {check_name}: {message}", file=sys.stderr)
    Member.stop_all()
    sys.exit(1)


def wait_for(what, predicate, timeout_s):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    fail(f"timed out after {timeout_s} s waiting for {what}")


class Member:
    """One consumer process; its stdout lines are parsed as they arrive, with the time each was read."""

    live = []
    count = 0

    def __init__(self, client, bootstrap, topic, group, reset="earliest", commit="auto", session_ms="10000"):
        command, extra = CLIENTS[client]
        Member.count += 1
        self.name = f"{client}#{Member.count}"
        self.started = time.time()
        self.assignment = None
        self.assignment_at = None
        self.records = []  # (partition, offset, value, time read)
        self.closed = False
        self.child_pid = None  # a wrapper (member_kcat.py) names the client process it runs: `P pid`
        log = open(os.path.join(LOG_DIR, f"member-{check_name}-{Member.count}.err"), "w")
        argv = command + [bootstrap, topic, group, reset, commit, str(session_ms)] + extra
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        Member.live.append(self)

    def _read(self):
        for line in self.proc.stdout:
            now = time.time()
            parts = line.rstrip("\n").split(" ", 3)
            if parts[0] == "A":
                self.assignment = {int(p) for p in parts[1].split(",") if p} if len(parts) > 1 else set()
                self.assignment_at = now
            elif parts[0] == "R" and len(parts) == 4:
                self.records.append((int(parts[1]), int(parts[2]), parts[3], now))
            elif parts[0] == "P" and len(parts) == 2:
                self.child_pid = int(parts[1])
            elif parts[0] == "CLOSED":
                self.closed = True

    def values(self, tag):
        return [r[2] for r in self.records if r[2].startswith(tag + "-")]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self in Member.live:
            Member.live.remove(self)

    def kill(self):
        if self.child_pid is not None:
            try:
                os.kill(self.child_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.kill()
        self.proc.wait()
        Member.live.remove(self)

    @staticmethod
    def stop_all():
        for m in list(Member.live):
            m.kill()


def create_topic(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=30000)
    try:
        admin.create_topics([NewTopic(name=topic, num_partitions=PARTITIONS, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    admin.close()
    time.sleep(0.5)


def produce(bootstrap, topic, tag, count, pause_s=0.0):
    """Sends `count` keyed records valued `tag-i`; returns {partition: next offset after the last one}."""
    # retries: right after a broker restart Kafka answers NOT_LEADER for a moment.
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, retries=10, retry_backoff_ms=300)
    futures = []
    for i in range(count):
        futures.append(producer.send(topic, key=f"key-{i}".encode(), value=f"{tag}-{i}".encode()))
        if pause_s:
            time.sleep(pause_s)
    producer.flush()
    ends = {}
    for f in futures:
        md = f.get(timeout=30)
        ends[md.partition] = max(ends.get(md.partition, 0), md.offset + 1)
    producer.close()
    return ends


def split_even(members):
    sets = [m.assignment for m in members]
    if any(s is None or len(s) != PARTITIONS // len(members) for s in sets):
        return False
    return set().union(*sets) == ALL and sum(len(s) for s in sets) == PARTITIONS


def received(members, tag):
    return {v for m in members for v in m.values(tag)}


def expect_all(members, tag, count, what, timeout_s=60):
    want = {f"{tag}-{i}" for i in range(count)}
    wait_for(f"{what}: all {count} records", lambda: want <= received(members, tag), timeout_s)


def check_split(bootstrap, prefix, client):
    topic = f"{prefix}-split"
    create_topic(bootstrap, topic)
    members = [Member(client, bootstrap, topic, f"{prefix}-g1") for _ in range(3)]
    wait_for("3 members to hold 2 partitions each", lambda: split_even(members), 90)
    time.sleep(1.0)
    if not split_even(members):
        fail("assignment did not stay even: " + str([m.assignment for m in members]))
    count = 600
    produce(bootstrap, topic, "v", count)
    expect_all(members, "v", count, "group 1")
    time.sleep(1.5)
    values = [v for m in members for v in m.values("v")]
    if len(values) != count:
        fail(f"group 1 received {len(values)} deliveries of {count} records (duplicates)")
    for m in members:
        stray = {r[0] for r in m.records} - m.assignment
        if stray:
            fail(f"{m.name} received records from partitions {stray} it does not own ({m.assignment})")
    second = [Member(client, bootstrap, topic, f"{prefix}-g2")]
    expect_all(second, "v", count, "group 2 (fan-out)")
    print(f"ok {client}: 3 members split {PARTITIONS} partitions 2/2/2, {count} records once each; group 2 got all {count}")


def check_latest(bootstrap, prefix):
    topic = f"{prefix}-latest"
    create_topic(bootstrap, topic)
    produce(bootstrap, topic, "old", 30)
    m = Member("kafka-python-2.0.2", bootstrap, topic, f"{prefix}-glatest", reset="default", commit="auto", session_ms="default")
    wait_for("the default-settings member to be assigned", lambda: m.assignment == ALL, 60)
    time.sleep(2.0)  # the member resolves its positions (latest) on its next poll
    produce(bootstrap, topic, "new", 50)
    expect_all([m], "new", 50, "default-settings member")
    time.sleep(1.0)
    if m.values("old"):
        fail(f"default auto_offset_reset is latest, yet {len(m.values('old'))} earlier records arrived")
    print("ok kafka-python 2.0.2 with default settings received the 50 records sent after it joined (none before)")


def check_crash(bootstrap, prefix, client):
    topic = f"{prefix}-crash"
    create_topic(bootstrap, topic)
    session_ms = BROKER_SESSION_MS.get(client, 6000)
    members = [Member(client, bootstrap, topic, f"{prefix}-gcrash", session_ms=session_ms) for _ in range(3)]
    wait_for("3 members to hold 2 partitions each", lambda: split_even(members), 90)
    count = 1500
    producer_done = threading.Event()

    def run_producer():
        produce(bootstrap, topic, "c", count, pause_s=0.008)
        producer_done.set()

    threading.Thread(target=run_producer, daemon=True).start()
    time.sleep(4.0)
    victim = members[0]
    lost = set(victim.assignment)
    if client == "kcat" and victim.child_pid is None:
        fail("member_kcat.py did not report the kcat pid")
    victim.kill()
    killed_at = time.time()
    survivors = members[1:]
    wait_for("the survivors to take over every partition", lambda: split_even(survivors), session_ms / 1000 + 20)
    took_s = max(m.assignment_at for m in survivors) - killed_at
    if took_s > session_ms / 1000 + 4:
        fail(f"partitions {sorted(lost)} reassigned {took_s:.1f} s after SIGKILL (session timeout {session_ms} ms)")
    wait_for("the producer", producer_done.is_set, 60)
    expect_all(members, "c", count, "after the crash")
    deliveries = sum(len(m.values("c")) for m in members)
    print(f"ok {client}: SIGKILLed member's partitions {sorted(lost)} reassigned after {took_s:.1f} s "
          f"(session {session_ms} ms); all {count} records consumed, {deliveries - count} redelivered")


def check_restart(bootstrap, prefix, phase, client):
    topic = f"{prefix}-restart"
    group = f"{prefix}-grestart"
    if phase == "restart-before":
        create_topic(bootstrap, topic)
        produce(bootstrap, topic, "before", 100)
        m = Member(client, bootstrap, topic, group, commit="sync")
        expect_all([m], "before", 100, "before the restart")
        time.sleep(0.5)
        m.stop()
        if not m.closed:
            fail("the member did not close cleanly")
        print(f"ok {client}: consumed and committed 100 records before the restart")
        return
    produce(bootstrap, topic, "after", 50)
    m = Member(client, bootstrap, topic, group, commit="sync")
    expect_all([m], "after", 50, "after the restart")
    time.sleep(1.5)
    again = m.values("before")
    m.stop()
    if again:
        fail(f"{len(again)} records committed before the restart were delivered again")
    print(f"ok {client}: after the broker restart the group resumed from its committed offsets (50 new records only)")


def request_broker_restart(timeout_s=120):
    """Asks run-groups.sh to restart the broker (stop, start on the same data) and waits until it has."""
    done = os.path.join(LOG_DIR, "restart.done")
    if os.path.exists(done):
        os.remove(done)
    open(os.path.join(LOG_DIR, "restart.request"), "w").close()
    wait_for("run-groups.sh to restart the broker", lambda: os.path.exists(done), timeout_s)
    with open(done) as f:
        status = f.read().strip()
    os.remove(done)
    if status != "ok":
        fail(f"the broker did not start again: {status}")


def check_live_restart(bootstrap, prefix, client):
    """3 members consume while the broker restarts; counts records delivered twice (same partition and offset)."""
    topic = f"{prefix}-live"
    create_topic(bootstrap, topic)
    session_ms = BROKER_SESSION_MS.get(client, 10000)
    members = [Member(client, bootstrap, topic, f"{prefix}-glive", commit="sync", session_ms=session_ms)
               for _ in range(3)]
    wait_for("3 members to hold 2 partitions each", lambda: split_even(members), 90)
    before = [set(m.assignment) for m in members]
    count = 3000
    sent = []
    producer_done = threading.Event()

    def run_producer():
        # Retries ride out the restart; a retried send may store a record twice, so delivery duplicates
        # are counted by (partition, offset), not by value. Sends that still fail are sent again.
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, retries=200,
                                 retry_backoff_ms=250, request_timeout_ms=30000, reconnect_backoff_max_ms=500)
        pending = list(range(count))
        deadline = time.time() + 150
        while pending and time.time() < deadline:
            futures = []
            for i in pending:
                futures.append((i, producer.send(topic, key=f"key-{i}".encode(), value=f"l-{i}".encode())))
                time.sleep(0.006)
            producer.flush()
            failed = []
            for i, f in futures:
                try:
                    f.get(timeout=60)
                except Exception:
                    failed.append(i)
            pending = failed
        sent.append(count - len(pending))
        producer.close()
        producer_done.set()

    threading.Thread(target=run_producer, daemon=True).start()
    time.sleep(6.0)
    restart_started = time.time()
    request_broker_restart()
    restart_s = time.time() - restart_started
    wait_for("the producer", producer_done.is_set, 180)
    if sent != [count]:
        fail(f"the producer could not send {count - sent[0]} records across the restart")
    want = {f"l-{i}" for i in range(count)}
    deadline = time.time() + 90
    while time.time() < deadline and not want <= received(members, "l"):
        time.sleep(0.1)
    time.sleep(2.0)
    missing = len(want - received(members, "l"))
    deliveries = [(r[0], r[1]) for m in members for r in m.records if r[2].startswith("l-")]
    duplicates = len(deliveries) - len(set(deliveries))
    after = [set(m.assignment or ()) for m in members]
    moved = sum(1 for b, a in zip(before, after) if b != a)
    detail = (f"{client}: broker restarted in {restart_s:.1f} s while 3 members consumed {count} records: "
              f"{duplicates} delivered twice, {missing} not received within 90 s, "
              f"{moved} members with a changed assignment")
    if duplicates > 0 or missing > 0:
        fail(detail)
    print(f"ok {detail}")


def group_tool(bootstrap, *args):
    argv = JAVA + ["org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server", bootstrap] + list(args)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        fail(f"kafka-consumer-groups {' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return done.stdout


def describe_rows(text, group):
    rows = {}
    for line in text.splitlines():
        cols = line.split()
        if len(cols) >= 6 and cols[0] == group and cols[2].isdigit():
            rows[int(cols[2])] = cols
    return rows


def check_tool(bootstrap, prefix):
    topic = f"{prefix}-tool"
    group = f"{prefix}-gtool"
    create_topic(bootstrap, topic)
    ends = produce(bootstrap, topic, "t1", 60)
    m = Member("kafka-python-2.0.2", bootstrap, topic, group, commit="sync")
    expect_all([m], "t1", 60, "before the tool")
    time.sleep(0.5)
    m.stop()
    more = produce(bootstrap, topic, "t2", 30)
    listed = group_tool(bootstrap, "--list")
    if group not in listed.split():
        fail(f"--list does not show {group}: {listed.strip()[:300]}")
    rows = describe_rows(group_tool(bootstrap, "--describe", "--group", group), group)
    if set(rows) != ALL:
        fail(f"--describe shows partitions {sorted(rows)}")
    for p, cols in rows.items():
        committed, end, lag = cols[3], cols[4], cols[5]
        want_end = more.get(p, ends.get(p, 0))
        # A partition that never had a record has no committed offset: the tool prints "-".
        if committed != str(ends[p]) if p in ends else committed not in ("-", "0"):
            fail(f"partition {p}: CURRENT-OFFSET {committed}, expected {ends.get(p, 0)}")
        if end != str(want_end) or lag not in (str(want_end - ends.get(p, 0)), "-"):
            fail(f"partition {p}: LOG-END-OFFSET {end} LAG {lag}, expected {want_end} and {want_end - ends.get(p, 0)}")
    total_lag = sum(int(c[5]) for c in rows.values() if c[5].isdigit())
    if total_lag != 30:
        fail(f"total LAG {total_lag}, expected 30")
    out = group_tool(bootstrap, "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute")
    reset_rows = [line.split() for line in out.splitlines() if line.startswith(group)]
    if len(reset_rows) != PARTITIONS or any(r[-1] != "0" for r in reset_rows):
        fail(f"--reset-offsets --to-earliest printed {out.strip()[:400]}")
    m = Member("kafka-python-2.0.2", bootstrap, topic, group, reset="latest", commit="sync")
    expect_all([m], "t1", 60, "after --reset-offsets")
    expect_all([m], "t2", 30, "after --reset-offsets")
    m.stop()
    print("ok kafka-consumer-groups: --list shows the group, --describe LAG 30 per partition right, "
          "--reset-offsets --to-earliest made the consumer re-read all 90")


def check_rebalance_time(bootstrap, prefix, client):
    topic = f"{prefix}-rtime-{client}"
    create_topic(bootstrap, topic)
    produce(bootstrap, topic, "r", 600)
    group = f"{prefix}-grtime-{client}"
    members = []
    for _ in range(3):
        members.append(Member(client, bootstrap, topic, group, commit="none"))
    third_start = members[-1].started
    wait_for("all three members to receive records after an even split",
             lambda: split_even(members) and all(m.records for m in members), 120)
    firsts = [min(r[3] for r in m.records) for m in members]
    settled = max(m.assignment_at for m in members)
    print(f"ok {client}: rebalance of 3 members: third member start -> all three have records "
          f"{max(firsts) - third_start:.2f} s (final assignment at {settled - third_start:.2f} s)")


def main():
    global check_name
    bootstrap, prefix, check = sys.argv[1:4]
    client = sys.argv[4] if len(sys.argv) > 4 else ""
    check_name = f"{check} {client}".strip()
    try:
        if check == "split":
            check_split(bootstrap, f"{prefix}-{client}", client)
        elif check == "latest":
            check_latest(bootstrap, prefix)
        elif check == "crash":
            check_crash(bootstrap, f"{prefix}-{client}", client)
        elif check in ("restart-before", "restart-after"):
            check_restart(bootstrap, f"{prefix}-{client}", check, client)
        elif check == "tool":
            check_tool(bootstrap, prefix)
        elif check == "live-restart":
            check_live_restart(bootstrap, f"{prefix}-{client}", client)
        elif check == "rebalance-time":
            check_rebalance_time(bootstrap, prefix, client)
        else:
            fail(f"unknown check {check}")
    finally:
        for m in list(Member.live):
            m.stop()


if __name__ == "__main__":
    main()
