# Compares AdminSurface's outcomes on Kafka 4.4 and on Brook (#9). Every difference must be listed in the
# expected-differences file (method, Kafka's outcome, Brook's outcome, why) and every listed one must occur.
# Prints a table and exits 1 on an unexpected difference or a stale entry.
import sys


def outcomes(path):
    result = {}
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) >= 2:
            result[parts[0]] = parts[1]
    return result


kafka = outcomes(sys.argv[1])
brook = outcomes(sys.argv[2])
expected = {}
for line in open(sys.argv[3], encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    method, kafka_outcome, brook_outcome, why = line.rstrip("\n").split("\t")
    expected[method] = (kafka_outcome, brook_outcome, why)

bad = 0
same = 0
for method, kafka_outcome in kafka.items():
    brook_outcome = brook.get(method, "(not run)")
    if brook_outcome == kafka_outcome:
        same += 1
        if method in expected:
            print(f"STALE {method}: listed as a difference but Brook now answers as Kafka: {kafka_outcome}")
            bad += 1
        continue
    listed = expected.get(method)
    if listed is not None and listed[0] == kafka_outcome and listed[1] == brook_outcome:
        print(f"known {method}: Kafka {kafka_outcome} | Brook {brook_outcome} ({listed[2]})")
        continue
    print(f"DIFF  {method}: Kafka {kafka_outcome} | Brook {brook_outcome}")
    bad += 1
for method in expected:
    if method not in kafka:
        print(f"STALE {method}: listed but not run")
        bad += 1
print(f"{same} of {len(kafka)} calls answered as Kafka 4.4; {len(kafka) - same} known differences" if bad == 0 else f"{bad} unexpected")
sys.exit(1 if bad else 0)
