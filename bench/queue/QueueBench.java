// Queue (share group, KIP-932) benchmark for bench/run.ts: W KafkaShareConsumer threads in one JVM, explicit
// per-record ACCEPT and commitSync after each poll, against one broker. Prints one JSON line with records/s,
// produce-to-accept latency percentiles and the records each worker accepted.
// Usage: QueueBench BOOTSTRAP TOPIC GROUP WORKERS PARTITIONS BURST_RECORDS RATE SECONDS WORK_MS
//   1. creates TOPIC (PARTITIONS) and sets the group's share.auto.offset.reset to earliest;
//   2. warm-up: starts WORKERS consumers and sends one record per partition every 200 ms until every worker has
//      accepted one and the queue is empty (so that joining and assignment are not timed);
//   3. burst: one producer sends BURST_RECORDS records of 1 KiB as fast as it can (acks=1, linger.ms=5) while the
//      workers take them; records/s = BURST_RECORDS / (first send .. last confirmed ACCEPT);
//   4. rate (when RATE > 0): RATE records/s for SECONDS s; latency = confirmed ACCEPT time - the record's
//      CreateTime (set at send). WORK_MS is slept per record (a job) in both phases.
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class QueueBench {
  static final int RECORD_BYTES = 1024;
  static final long PHASE_TIMEOUT_MS = 240_000;

  /** The phase records belong to: its first byte. Warm-up records are not counted. */
  static final byte WARM = 'w', BURST = 'b', RATE = 'r';

  static volatile boolean stopping = false;
  static int workers;
  /** Records each worker accepted (confirmed) in the current phase. */
  static volatile AtomicLongArray perWorker;
  /** Distinct records accepted in the current phase; a second ACCEPT of the same (partition, offset) is a duplicate. */
  static final Map<Long, Boolean> accepted = new ConcurrentHashMap<>();
  static final AtomicLong duplicates = new AtomicLong();
  static final AtomicLong acceptedCount = new AtomicLong();
  static final AtomicLong lastAcceptMs = new AtomicLong();
  static final AtomicLong ackErrors = new AtomicLong();
  static volatile byte phase = WARM;
  /** Produce-to-accept latencies (ms) of rate-phase records, one list per worker. */
  static final List<List<Long>> latencies = new ArrayList<>();
  static long workMs;

  public static void main(String[] args) throws Exception {
    if (args.length != 9) {
      System.err.println(
          "usage: QueueBench BOOTSTRAP TOPIC GROUP WORKERS PARTITIONS BURST_RECORDS RATE SECONDS WORK_MS");
      System.exit(2);
    }
    String bootstrap = args[0], topic = args[1], group = args[2];
    workers = Integer.parseInt(args[3]);
    int partitions = Integer.parseInt(args[4]);
    long burst = Long.parseLong(args[5]);
    int rate = Integer.parseInt(args[6]);
    int seconds = Integer.parseInt(args[7]);
    workMs = Long.parseLong(args[8]);

    Properties adminProps = new Properties();
    adminProps.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(adminProps)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp earliest =
          new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(resource, List.of(earliest))).all().get();
    }

    perWorker = new AtomicLongArray(workers);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      latencies.add(new ArrayList<>());
      final int index = i;
      Thread t = new Thread(() -> work(bootstrap, topic, group, index), "worker-" + i);
      t.start();
      threads.add(t);
    }

    Properties producerProps = new Properties();
    producerProps.put("bootstrap.servers", bootstrap);
    producerProps.put("acks", "1");
    producerProps.put("linger.ms", "5");
    producerProps.put("batch.size", "65536");
    Map<String, Object> out = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
      // Warm-up: until every worker has accepted a record and all warm-up records are accepted.
      long warmStart = System.currentTimeMillis();
      long warmSent = 0;
      while (!everyWorkerBusy() || acceptedCount.get() < warmSent) {
        if (System.currentTimeMillis() - warmStart > PHASE_TIMEOUT_MS) fail("warm-up did not finish: " + perWorker);
        if (!everyWorkerBusy()) {
          for (int p = 0; p < partitions; p++) producer.send(new ProducerRecord<>(topic, p, null, value(WARM)));
          warmSent += partitions;
          producer.flush();
        }
        Thread.sleep(200);
      }
      out.put("warmupMs", System.currentTimeMillis() - warmStart);
      out.put("warmupRecords", warmSent);

      // Burst.
      resetPhase(BURST);
      long burstStart = System.currentTimeMillis();
      byte[] burstValue = value(BURST);
      for (long i = 0; i < burst; i++) producer.send(new ProducerRecord<>(topic, null, null, burstValue));
      producer.flush();
      long producedMs = System.currentTimeMillis() - burstStart;
      waitAccepted(burst, "burst");
      long burstMs = Math.max(1, lastAcceptMs.get() - burstStart);
      out.put("burstRecords", burst);
      out.put("burstProduceMs", producedMs);
      out.put("burstMs", burstMs);
      out.put("recordsPerSec", burst * 1000.0 / burstMs);
      out.put("burstPerWorker", counts());
      out.put("burstDuplicates", duplicates.get());

      // Fixed rate.
      if (rate > 0) {
        resetPhase(RATE);
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
          long due = start + i * 1_000_000_000L / rate;
          long wait = due - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), null, value(RATE)));
        }
        producer.flush();
        long sendSec = (System.nanoTime() - start) / 1_000_000;
        waitAccepted(total, "rate");
        List<Long> all = new ArrayList<>();
        synchronized (latencies) {
          for (List<Long> l : latencies) all.addAll(l);
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        out.put("rate", rate);
        out.put("rateSendMs", sendSec);
        out.put("rateRecords", total);
        out.put("latencyP50Ms", percentile(sorted, 0.50));
        out.put("latencyP99Ms", percentile(sorted, 0.99));
        out.put("latencyP999Ms", percentile(sorted, 0.999));
        out.put("latencyMaxMs", sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
        out.put("ratePerWorker", counts());
        out.put("rateDuplicates", duplicates.get());
      }
    }
    out.put("ackErrors", ackErrors.get());
    stopping = true;
    for (Thread t : threads) t.join(30_000);
    System.out.println(toJson(out));
    System.exit(0);
  }

  static byte[] value(byte phaseByte) {
    byte[] v = new byte[RECORD_BYTES];
    Arrays.fill(v, (byte) 'x');
    v[0] = phaseByte;
    return v;
  }

  static boolean everyWorkerBusy() {
    for (int i = 0; i < workers; i++) if (perWorker.get(i) == 0) return false;
    return true;
  }

  static void resetPhase(byte next) {
    synchronized (QueueBench.class) {
      phase = next;
      perWorker = new AtomicLongArray(workers);
      accepted.clear();
      duplicates.set(0);
      acceptedCount.set(0);
      synchronized (latencies) {
        for (List<Long> l : latencies) l.clear();
      }
    }
  }

  static void waitAccepted(long count, String name) throws InterruptedException {
    long deadline = System.currentTimeMillis() + PHASE_TIMEOUT_MS;
    while (acceptedCount.get() < count) {
      if (System.currentTimeMillis() > deadline)
        fail(name + ": only " + acceptedCount.get() + " of " + count + " accepted; per worker " + perWorker);
      Thread.sleep(5);
    }
  }

  static List<Long> counts() {
    List<Long> c = new ArrayList<>();
    AtomicLongArray a = perWorker;
    for (int i = 0; i < workers; i++) c.add(a.get(i));
    return c;
  }

  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) return -1;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  static void fail(String message) {
    System.err.println("QueueBench: " + message);
    System.exit(1);
  }

  static void work(String bootstrap, String topic, String group, int index) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", group);
    props.put("client.id", "queue-bench-" + index);
    props.put("share.acknowledgement.mode", "explicit");
    try (KafkaShareConsumer<byte[], byte[]> consumer =
        new KafkaShareConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
      while (!stopping) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        batch.clear();
        for (ConsumerRecord<byte[], byte[]> record : records) {
          if (workMs > 0) Thread.sleep(workMs);
          consumer.acknowledge(record, AcknowledgeType.ACCEPT);
          batch.add(record);
        }
        if (batch.isEmpty()) continue;
        Map<TopicIdPartition, Optional<KafkaException>> results = consumer.commitSync(Duration.ofSeconds(30));
        long now = System.currentTimeMillis();
        if (results.values().stream().anyMatch(Optional::isPresent)) {
          // A failed acknowledgement leaves the records to come back; they are counted when accepted again.
          ackErrors.incrementAndGet();
          System.err.println("worker " + index + ": acknowledgement failed: " + results);
          continue;
        }
        synchronized (QueueBench.class) {
          for (ConsumerRecord<byte[], byte[]> record : batch) {
            byte kind = record.value()[0];
            if (kind != phase) continue;
            long key = ((long) record.partition() << 40) | record.offset();
            if (accepted.putIfAbsent(key, Boolean.TRUE) != null) {
              duplicates.incrementAndGet();
              continue;
            }
            perWorker.incrementAndGet(index);
            if (kind == RATE) {
              synchronized (latencies) {
                latencies.get(index).add(now - record.timestamp());
              }
            }
            acceptedCount.incrementAndGet();
            lastAcceptMs.set(now);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.err.println("worker " + index + ": " + e);
      e.printStackTrace();
    }
  }

  static String toJson(Map<String, Object> map) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Object> e : map.entrySet()) {
      if (sb.length() > 1) sb.append(',');
      sb.append('"').append(e.getKey()).append("\":");
      Object v = e.getValue();
      if (v instanceof List<?> list) {
        sb.append('[');
        for (int i = 0; i < list.size(); i++) sb.append(i == 0 ? "" : ",").append(list.get(i));
        sb.append(']');
      } else sb.append(v);
    }
    return sb.append('}').toString();
  }
}
