// Transactional produce throughput (issue 12) for bench/run.ts's `txn` workload: one Kafka Java producer with a
// transactional id sends RECORDS records of SIZE bytes (no key: the sticky partitioner) to TOPIC, committing
// every TXN_SIZE records, as fast as it can. Prints one JSON line: records/s and MB/s from the first send to the
// last commit, and the commitTransaction() latency p50/p99 (ms).
// Usage: TxnProduceBench BOOTSTRAP TOPIC RECORDS TXN_SIZE SIZE
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class TxnProduceBench {
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: TxnProduceBench BOOTSTRAP TOPIC RECORDS TXN_SIZE SIZE");
      System.exit(2);
    }
    String bootstrap = args[0], topic = args[1];
    int records = Integer.parseInt(args[2]), txnSize = Integer.parseInt(args[3]), size = Integer.parseInt(args[4]);
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    p.put("transactional.id", "txn-bench-" + topic + "-" + txnSize);
    p.put("acks", "all");
    p.put("linger.ms", "5");
    byte[] payload = new byte[size];
    new Random(1).nextBytes(payload);
    int transactions = (records + txnSize - 1) / txnSize;
    double[] commitMs = new double[transactions];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      // One warm-up transaction (metadata, coordinator lookup), outside the measurement.
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, payload));
      producer.commitTransaction();
      long start = System.nanoTime();
      int sent = 0;
      for (int t = 0; t < transactions; t++) {
        producer.beginTransaction();
        int n = Math.min(txnSize, records - sent);
        for (int i = 0; i < n; i++) producer.send(new ProducerRecord<>(topic, payload));
        sent += n;
        long c = System.nanoTime();
        producer.commitTransaction(); // flushes the transaction's records, then ends it
        commitMs[t] = (System.nanoTime() - c) / 1e6;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Arrays.sort(commitMs);
      System.out.printf(
          "{\"records\":%d,\"transactions\":%d,\"recordsPerSec\":%.1f,\"mbPerSec\":%.2f,\"commitP50Ms\":%.1f,\"commitP99Ms\":%.1f}%n",
          sent, transactions, sent / seconds, sent * (double) size / seconds / 1e6,
          commitMs[transactions / 2], commitMs[Math.min(transactions - 1, (int) Math.ceil(transactions * 0.99) - 1)]);
    }
  }
}
