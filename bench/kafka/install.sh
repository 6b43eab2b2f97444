#!/usr/bin/env bash
# Installs Apache Kafka 4.4.0 (broker, tools, log4j 2) from Maven Central into .cache/kafka/libs.
# Idempotent: a second run only checks the stamp. Needs java and mvn (Debian default-jdk-headless, maven).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="$root/.cache/kafka"
stamp="$dest/.installed-$(sha1sum "$here/pom.xml" | cut -c1-12)"
if [[ -f "$stamp" ]]; then
  exit 0
fi
rm -rf "$dest/libs"
mkdir -p "$dest/libs"
(cd "$here" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$dest/libs" -DincludeScope=runtime)
ls "$dest/libs"/kafka_2.13-*.jar >/dev/null
touch "$stamp"
