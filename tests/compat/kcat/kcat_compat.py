# Compat check for kcat (librdkafka): auto-create a topic by producing to it, produce keyed records with headers
# under every codec (-P -K -H -z), read each partition back with -C -e -J and compare, partition choice included.
# Usage: /usr/bin/python3 kcat_compat.py HOST:PORT TOPIC_PREFIX [all|produce|verify]
import json
import subprocess
import sys
import zlib

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
RECORDS_PER_CODEC = 20
TIMEOUT_S = 60


def fail(message):
    print(f"FAIL kcat: {message}", file=sys.stderr)
    sys.exit(1)


def kcat(args, stdin=None):
    try:
        result = subprocess.run(["kcat", *args], input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        fail(f"kcat {' '.join(args)} timed out after {TIMEOUT_S} s (with -e: end of partition never reached); stderr: {(error.stderr or b'')[-300:]!r}")
    if result.returncode != 0:
        fail(f"kcat {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def make_record(codec, i):
    return f"key-{codec}-{i}", f"value-{codec}-{i}-" + "brook " * (i * 7 % 50)


def partition_count(bootstrap, topic):
    metadata = json.loads(kcat(["-b", bootstrap, "-L", "-J", "-t", topic]))
    for entry in metadata.get("topics", []):
        if entry["topic"] == topic and not entry.get("error"):
            return len(entry["partitions"])
    fail(f"topic {topic} missing from metadata: {metadata}")


def expected_records(count):
    # librdkafka's default partitioner, consistent_random, puts a keyed record in CRC-32(key) mod count.
    expected = {p: [] for p in range(count)}
    for codec in CODECS:
        for i in range(RECORDS_PER_CODEC):
            key, value = make_record(codec, i)
            expected[zlib.crc32(key.encode()) % count].append((key, value, ["h-codec", codec, "h-index-set", "yes"]))
    return expected


def produce(bootstrap, topic):
    for codec in CODECS:
        lines = "".join(f"{k}:{v}\n" for k, v in (make_record(codec, i) for i in range(RECORDS_PER_CODEC)))
        kcat(["-b", bootstrap, "-P", "-t", topic, "-K", ":", "-z", codec, "-H", f"h-codec={codec}", "-H", "h-index-set=yes",
              "-X", "acks=all", "-X", "linger.ms=5", "-X", "max.in.flight=1"], stdin=lines)


def verify(bootstrap, topic):
    count = partition_count(bootstrap, topic)
    expected = expected_records(count)
    for p in range(count):
        out = kcat(["-b", bootstrap, "-C", "-t", topic, "-p", str(p), "-o", "beginning", "-e", "-J", "-q"])
        got = []
        last_offset = -1
        for line in out.splitlines():
            if not line.strip():
                continue
            m = json.loads(line)
            if m["partition"] != p or m["offset"] <= last_offset:
                fail(f"partition {p}: bad envelope {m}")
            last_offset = m["offset"]
            got.append((m["key"], m["payload"], m.get("headers") or []))
        if len(got) != len(expected[p]):
            fail(f"partition {p}: expected {len(expected[p])} records, got {len(got)}")
        for index, (want, have) in enumerate(zip(expected[p], got)):
            if want != tuple(have):
                fail(f"partition {p} record {index}: expected {want!r}, got {have!r}")
    return count


def main():
    if len(sys.argv) < 3:
        fail("usage: kcat_compat.py HOST:PORT TOPIC_PREFIX [all|produce|verify]")
    bootstrap, prefix = sys.argv[1], sys.argv[2]
    phase = sys.argv[3] if len(sys.argv) > 3 else "all"
    topic = f"{prefix}-kcat"
    count = "?"
    if phase in ("all", "produce"):
        produce(bootstrap, topic)
    if phase in ("all", "verify"):
        count = verify(bootstrap, topic)
    if phase not in ("all", "produce", "verify"):
        fail(f"unknown phase {phase}")
    print(f"ok kcat {phase}: {len(CODECS) * RECORDS_PER_CODEC} records over {count} auto-created partition(s), codecs {','.join(CODECS)}")


if __name__ == "__main__":
    main()
