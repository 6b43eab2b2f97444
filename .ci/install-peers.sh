#!/usr/bin/env bash
# Installs every peer the compat suite and the benchmark run against: Debian kcat and Python clients, a venv with
# PyPI kafka-python 3.x and confluent-kafka 2.16 (its ShareConsumer), the Java client and Kafka's tools (Maven),
# Apache Kafka 4.4.0 itself, Kafka Streams/Connect/MirrorMaker 2 jars (tests/compat/frameworks), and the compiled Java and Go compat programs. Idempotent and non-interactive (run as root); caches under .cache/. Prints each step's time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache"
mkdir -p "$cache"
export DEBIAN_FRONTEND=noninteractive
KAFKA_PYTHON_3_VERSION="3.0.12"
# The first confluent-kafka with a share consumer (KIP-932) is 2.15; 2.16.1 bundles librdkafka 2.16.0.
CONFLUENT_KAFKA_VERSION="2.16.1"

step_started=0
step() { step_started=$SECONDS; echo "install-peers: $1 ..."; }
done_step() { echo "install-peers: $1 done in $((SECONDS - step_started)) s"; }

# 1. Debian packages: chromium (the console's browser tests drive it; nothing downloads a browser), the clients, the codecs kafka-python 2.0.2 needs for snappy/lz4/zstd, and the JDK + Maven.
step "apt packages"
apt_packages=(chromium kcat python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard python3-venv maven default-jdk-headless)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt_log="$cache/install-peers-apt.log"
  { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } > "$apt_log" 2>&1 \
    || { tail -30 "$apt_log" >&2; exit 1; }
fi
done_step "apt packages (${#missing[@]} installed)"

# 2. PyPI kafka-python 3.x in a venv, with its optional codecs.
step "venv kafka-python $KAFKA_PYTHON_3_VERSION"
venv="$cache/venv"
if ! "$venv/bin/python" -c "import kafka, snappy, lz4, zstandard, sys; sys.exit(kafka.__version__ != '$KAFKA_PYTHON_3_VERSION')" 2>/dev/null; then
  rm -rf "$venv"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "kafka-python[crc32c,lz4,snappy,zstd]==$KAFKA_PYTHON_3_VERSION"
fi
if ! "$venv/bin/python" -c "import confluent_kafka, sys; sys.exit(confluent_kafka.version()[0] != '$CONFLUENT_KAFKA_VERSION')" 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check "confluent-kafka==$CONFLUENT_KAFKA_VERSION"
fi
done_step "venv"

# 3. Java client and Kafka's tools (classpath in .cache/java-libs), then the compat program.
step "java client + tools (maven)"
pom="$root/tests/compat/java/pom.xml"
stamp="$cache/java-libs/.stamp-$(sha1sum "$pom" | cut -c1-12)"
if [[ ! -f "$stamp" ]]; then
  rm -rf "$cache/java-libs"
  (cd "$root/tests/compat/java" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$cache/java-libs" -DincludeScope=runtime)
  touch "$stamp"
fi
done_step "java client + tools"

step "java compat program (javac)"
sources=("$root"/tests/compat/java/src/main/java/brook/compat/*.java)
src_stamp="$cache/java-compat/.stamp-$(cat "${sources[@]}" "$pom" | sha1sum | cut -c1-12)"
if [[ ! -f "$src_stamp" ]]; then
  rm -rf "$cache/java-compat"
  mkdir -p "$cache/java-compat/classes"
  javac -d "$cache/java-compat/classes" -cp "$cache/java-libs/*" "${sources[@]}"
  touch "$src_stamp"
fi
done_step "java compat program"

# 4. Apache Kafka 4.4.0, the baseline broker (shared with the benchmark).
step "apache kafka 4.4.0 (maven)"
bash "$root/bench/kafka/install.sh"
done_step "apache kafka"

# 4b. Kafka Streams 4.4, Connect and MirrorMaker 2 (4.3.1) for tests/compat/frameworks (Maven).
step "kafka frameworks (maven)"
for fw in "pom.xml frameworks-libs" "connect-pom.xml connect-libs"; do
  read -r fw_pom fw_dest <<< "$fw"
  fw_stamp="$cache/$fw_dest/.stamp-$(sha1sum "$root/tests/compat/frameworks/$fw_pom" | cut -c1-12)"
  if [[ ! -f "$fw_stamp" ]]; then
    rm -rf "${cache:?}/$fw_dest"
    (cd "$root/tests/compat/frameworks" && mvn -q -B -f "$fw_pom" dependency:copy-dependencies -DoutputDirectory="$cache/$fw_dest" -DincludeScope=runtime)
    touch "$fw_stamp"
  fi
done
done_step "kafka frameworks"

# 5. franz-go (optional): build the Go compat program (also the share-group worker) when Go is present.
if [[ -f "$root/tests/compat/go/go.mod" ]] && command -v go >/dev/null; then
  step "franz-go compat program"
  (cd "$root/tests/compat/go" && go build -o "$cache/go-compat/franz-compat" .)
  done_step "franz-go"
fi

# 6. npm peers are devDependencies; they come with `npm ci`, which this script does not run.
for m in kafkajs @platformatic/kafka; do
  [[ -d "$root/node_modules/$m" ]] || echo "install-peers: warning: node_modules/$m missing; run npm ci" >&2
done
echo "install-peers: all peers ready in $SECONDS s"
