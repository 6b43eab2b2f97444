// Compat check for the Java client (kafka-clients 4.4): Admin creates and describes a 3-partition topic, an
// idempotent acks=all producer sends keyed records with headers under every codec, and a KafkaConsumer reads
// them back with assign() from the earliest offset (no group). Usage: HOST:PORT TOPIC_PREFIX [all|produce|verify]
package brook.compat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class JavaClientCompat {
    static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};
    static final int RECORDS_PER_CODEC = 20;
    static final int PARTITIONS = 3;
    static final long TIMEOUT_MS = 60_000;

    record Rec(byte[] key, byte[] value, List<Header> headers) {
        boolean sameAs(Rec other) {
            if (!Arrays.equals(key, other.key) || !Arrays.equals(value, other.value) || headers.size() != other.headers.size()) return false;
            for (int i = 0; i < headers.size(); i++) {
                if (!headers.get(i).key().equals(other.headers.get(i).key()) || !Arrays.equals(headers.get(i).value(), other.headers.get(i).value())) return false;
            }
            return true;
        }

        @Override
        public String toString() {
            StringBuilder h = new StringBuilder();
            for (Header header : headers) h.append(header.key()).append('=').append(header.value() == null ? "null" : new String(header.value(), StandardCharsets.UTF_8)).append(',');
            String v = new String(value, StandardCharsets.UTF_8);
            return "key=" + new String(key, StandardCharsets.UTF_8) + " value=" + v.substring(0, Math.min(40, v.length())) + " headers=[" + h + "]";
        }
    }

    static final class CompatFailure extends RuntimeException {
        CompatFailure(String message) {
            super(message);
        }
    }

    static Rec makeRecord(String codec, int i) {
        byte[] key = ("key-" + codec + "-" + i).getBytes(StandardCharsets.UTF_8);
        byte[] value = ("value-" + codec + "-" + i + "-" + "brook ".repeat(i * 7 % 50)).getBytes(StandardCharsets.UTF_8);
        List<Header> headers = List.of(
                new RecordHeader("h-index", String.valueOf(i).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("h-codec", codec.getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("h-empty", new byte[0]));
        return new Rec(key, value, headers);
    }

    static List<List<Rec>> emptyPartitions() {
        List<List<Rec>> lists = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) lists.add(new ArrayList<>());
        return lists;
    }

    static void createTopic(String bootstrap, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (true) {
                try {
                    Map<String, TopicDescription> described = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    TopicDescription d = described.get(topic);
                    if (d != null && d.partitions().size() == PARTITIONS && d.partitions().stream().allMatch(p -> p.leader() != null)) return;
                } catch (ExecutionException e) {
                    if (System.currentTimeMillis() > deadline) throw e;
                }
                if (System.currentTimeMillis() > deadline) throw new CompatFailure("topic " + topic + " not described with " + PARTITIONS + " partitions");
                Thread.sleep(200);
            }
        }
    }

    static List<List<Rec>> produce(String bootstrap, String topic, boolean explicitPartitions) throws Exception {
        List<List<Rec>> expected = emptyPartitions();
        for (String codec : CODECS) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_MS));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                List<Rec> sent = new ArrayList<>();
                List<Future<RecordMetadata>> futures = new ArrayList<>();
                for (int i = 0; i < RECORDS_PER_CODEC; i++) {
                    Rec r = makeRecord(codec, i);
                    Integer partition = explicitPartitions ? i % PARTITIONS : null;
                    futures.add(producer.send(new ProducerRecord<>(topic, partition, r.key(), r.value(), r.headers())));
                    sent.add(r);
                }
                producer.flush();
                long[] lastOffset = {-1, -1, -1};
                for (int i = 0; i < sent.size(); i++) {
                    RecordMetadata meta = futures.get(i).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    if (explicitPartitions && meta.partition() != i % PARTITIONS) throw new CompatFailure(codec + ": record " + i + " landed in partition " + meta.partition());
                    if (meta.offset() <= lastOffset[meta.partition()]) throw new CompatFailure(codec + ": offsets not increasing in partition " + meta.partition());
                    lastOffset[meta.partition()] = meta.offset();
                    expected.get(meta.partition()).add(sent.get(i));
                }
            }
        }
        return expected;
    }

    static List<List<Rec>> expectedExplicit() {
        List<List<Rec>> expected = emptyPartitions();
        for (String codec : CODECS) for (int i = 0; i < RECORDS_PER_CODEC; i++) expected.get(i % PARTITIONS).add(makeRecord(codec, i));
        return expected;
    }

    static void consume(String bootstrap, String topic, List<List<Rec>> expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<List<Rec>> got = emptyPartitions();
        int total = expected.stream().mapToInt(List::size).sum();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) partitions.add(new TopicPartition(topic, p));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            int count = 0;
            while (count < total && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    got.get(r.partition()).add(new Rec(r.key(), r.value(), Arrays.asList(r.headers().toArray())));
                    count++;
                }
            }
        }
        for (int p = 0; p < PARTITIONS; p++) {
            List<Rec> want = expected.get(p);
            List<Rec> have = got.get(p);
            if (want.size() != have.size()) throw new CompatFailure("partition " + p + ": expected " + want.size() + " records, got " + have.size());
            for (int i = 0; i < want.size(); i++) {
                if (!want.get(i).sameAs(have.get(i))) throw new CompatFailure("partition " + p + " record " + i + ": expected " + want.get(i) + ", got " + have.get(i));
            }
        }
    }

    public static void main(String[] args) {
        String label = "java kafka-clients " + org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
        try {
            if (args.length < 2) throw new CompatFailure("usage: JavaClientCompat HOST:PORT TOPIC_PREFIX [all|produce|verify]");
            String bootstrap = args[0];
            String topic = args[1] + "-java";
            String phase = args.length > 2 ? args[2] : "all";
            switch (phase) {
                case "all" -> {
                    createTopic(bootstrap, topic);
                    consume(bootstrap, topic, produce(bootstrap, topic, false));
                }
                case "produce" -> {
                    createTopic(bootstrap, topic);
                    produce(bootstrap, topic, true);
                }
                case "verify" -> consume(bootstrap, topic, expectedExplicit());
                default -> throw new CompatFailure("unknown phase " + phase);
            }
            System.out.println("ok " + label + " " + phase + ": " + CODECS.length * RECORDS_PER_CODEC + " records, codecs " + String.join(",", CODECS));
            System.exit(0);
        } catch (Throwable t) {
            System.err.println("FAIL " + label + ": " + t);
            if (!(t instanceof CompatFailure)) t.printStackTrace();
            System.exit(1);
        }
    }
}
