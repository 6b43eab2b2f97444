// Calls every method of Kafka 4.4's Java Admin interface against one broker and prints one line per call:
// "method<TAB>outcome<TAB>detail". The outcome is normalised (no ids, ports or sizes) so that the output for
// Apache Kafka and for Brook can be compared line by line (run-admin.sh does); the detail is for people.
// Usage: java AdminSurface HOST:PORT PREFIX
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.stream.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.quota.*;
import org.apache.kafka.common.resource.*;
import org.apache.kafka.common.serialization.*;

public class AdminSurface {
  interface Body { String run() throws Exception; }

  static final List<String> lines = new ArrayList<>();

  static void check(String method, Body body) {
    String outcome, detail = "";
    try {
      outcome = body.run();
      int tab = outcome.indexOf('\t');
      if (tab >= 0) { detail = outcome.substring(tab + 1); outcome = outcome.substring(0, tab); }
    } catch (Throwable t) {
      Throwable c = t;
      while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) c = c.getCause();
      outcome = "ERR " + c.getClass().getSimpleName();
      detail = String.valueOf(c.getMessage()).replace('\n', ' ');
      if (detail.length() > 160) detail = detail.substring(0, 160);
    }
    String line = method + "\t" + outcome + "\t" + detail;
    lines.add(line);
    System.out.println(line);
    System.out.flush();
  }

  static <T> T get(KafkaFuture<T> future) throws Exception { return future.get(20, TimeUnit.SECONDS); }

  static String ops(Set<AclOperation> set) {
    if (set == null) return "null";
    return set.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String prefix = args[1];
    String topic = prefix + "-t";
    String classicGroup = prefix + "-classic";
    String consumerGroup = prefix + "-consumer";
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    try (Admin admin = Admin.create(props)) {
      check("createTopics", () -> {
        get(admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all());
        return "ok";
      });
      // Records and committed offsets for the groups below.
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i)).get();
      }
      Properties cp = new Properties();
      cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      cp.put(ConsumerConfig.GROUP_ID_CONFIG, classicGroup);
      cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      cp.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        int seen = 0;
        long deadline = System.currentTimeMillis() + 30000;
        while (seen < 10 && System.currentTimeMillis() < deadline) seen += consumer.poll(Duration.ofMillis(500)).count();
        consumer.commitSync();
      }
      // A KIP-848 member that stays in its group while the checks run.
      Properties kp = new Properties();
      kp.putAll(cp);
      kp.put(ConsumerConfig.GROUP_ID_CONFIG, consumerGroup);
      kp.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
      CountDownLatch joined = new CountDownLatch(1);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread member = new Thread(() -> {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kp, new StringDeserializer(), new StringDeserializer())) {
          consumer.subscribe(List.of(topic));
          while (!stop.get()) {
            consumer.poll(Duration.ofMillis(200));
            if (!consumer.assignment().isEmpty() && joined.getCount() > 0) { consumer.commitSync(); joined.countDown(); }
          }
        } catch (Exception e) {
          // Expected once removeMembersFromConsumerGroup removed it: its next commit is UNKNOWN_MEMBER_ID.
          System.err.println("consumer-protocol member stopped: " + e);
        }
      });
      member.setDaemon(true);
      member.start();
      boolean memberJoined = joined.await(60, TimeUnit.SECONDS);
      System.err.println("consumer-protocol member joined: " + memberJoined);

      TopicPartition tp0 = new TopicPartition(topic, 0);
      TopicPartition tp1 = new TopicPartition(topic, 1);

      check("listTopics", () -> get(admin.listTopics().names()).contains(topic) ? "ok" : "missing topic");
      check("describeTopics", () -> {
        TopicDescription d = get(admin.describeTopics(List.of(topic), new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames()).get(topic);
        return "partitions=" + d.partitions().size() + " authorizedOperations=" + ops(d.authorizedOperations());
      });
      // One partition per DescribeTopicPartitions answer (KIP-966): the client follows the cursor; the ELR
      // lists are only known (empty, not null) when the broker answered with DescribeTopicPartitions.
      check("describeTopics(paged)", () -> {
        TopicDescription d = get(admin.describeTopics(List.of(topic), new DescribeTopicsOptions().partitionSizeLimitPerResponse(1)).allTopicNames()).get(topic);
        StringBuilder out = new StringBuilder("partitions=" + d.partitions().size());
        for (TopicPartitionInfo p : d.partitions())
          out.append(" ").append(p.partition()).append(":leader=").append(p.leader().id()).append(",isr=").append(p.isr().size())
              .append(",elr=").append(p.elr() == null ? "null" : String.valueOf(p.elr().size()));
        return out.toString();
      });
      check("describeCluster", () -> {
        DescribeClusterResult r = admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true));
        return "nodes=" + get(r.nodes()).size() + " controller=" + (get(r.controller()) != null) + " authorizedOperations=" + ops(get(r.authorizedOperations()));
      });
      check("describeCluster(includeFencedBrokers)", () -> {
        Collection<Node> nodes = get(admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true)).nodes());
        return "nodes=" + nodes.size() + " fenced=" + nodes.stream().filter(Node::isFenced).count();
      });
      check("describeConfigs", () -> {
        Config c = get(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all()).values().iterator().next();
        return "retention.ms=" + c.get("retention.ms").value();
      });
      check("incrementalAlterConfigs", () -> {
        get(admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
          List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all());
        return "ok";
      });
      check("listConfigResources", () -> "resources>0=" + (get(admin.listConfigResources().all()).size() > 0));
      check("listOffsets", () -> {
        var r = get(admin.listOffsets(Map.of(tp0, OffsetSpec.latest(), tp1, OffsetSpec.earliest())).all());
        return "latest(0)=" + r.get(tp0).offset() + " earliest(1)=" + r.get(tp1).offset();
      });
      check("deleteRecords", () -> "lowWatermark=" + get(admin.deleteRecords(Map.of(tp1, RecordsToDelete.beforeOffset(2))).lowWatermarks().get(tp1)).lowWatermark());
      check("describeLogDirs", () -> {
        var dirs = get(admin.describeLogDirs(List.of(1)).allDescriptions()).get(1);
        long replicas = dirs.values().stream().mapToLong(d -> d.replicaInfos().keySet().stream().filter(p -> p.topic().equals(topic)).count()).sum();
        return "dirs=" + dirs.size() + " replicasOfTopic=" + replicas;
      });
      check("describeReplicaLogDirs", () -> {
        var info = get(admin.describeReplicaLogDirs(List.of(new TopicPartitionReplica(topic, 0, 1))).all()).values().iterator().next();
        return "current=" + (info.getCurrentReplicaLogDir() != null) + " future=" + (info.getFutureReplicaLogDir() != null) + "\t" + info;
      });
      check("alterReplicaLogDirs", () -> {
        var info = get(admin.describeReplicaLogDirs(List.of(new TopicPartitionReplica(topic, 0, 1))).all()).values().iterator().next();
        get(admin.alterReplicaLogDirs(Map.of(new TopicPartitionReplica(topic, 0, 1), info.getCurrentReplicaLogDir())).all());
        return "ok";
      });
      check("alterReplicaLogDirs(unknown dir)", () -> {
        get(admin.alterReplicaLogDirs(Map.of(new TopicPartitionReplica(topic, 0, 1), "/nonexistent/dir")).all());
        return "ok";
      });
      check("createPartitions", () -> { get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all()); return "ok"; });
      check("describeProducers", () -> "producers=" + get(admin.describeProducers(List.of(tp0)).all()).get(tp0).activeProducers().size());

      check("describeFeatures", () -> {
        FeatureMetadata f = get(admin.describeFeatures().featureMetadata());
        String supported = f.supportedFeatures().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> e.getKey() + "=" + e.getValue().minVersion() + ".." + (e.getKey().equals("metadata.version") ? "X" : e.getValue().maxVersion()))
          .collect(Collectors.joining(","));
        String finalized = f.finalizedFeatures().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> e.getKey() + "=" + (e.getKey().equals("metadata.version") ? "X" : e.getValue().maxVersionLevel()))
          .collect(Collectors.joining(","));
        return "supported[" + supported + "] finalized[" + finalized + "] epoch=" + (f.finalizedFeaturesEpoch().isPresent() ? "present" : "absent");
      });
      check("updateFeatures(validateOnly, metadata.version to its level)", () -> {
        short level = get(admin.describeFeatures().featureMetadata()).finalizedFeatures().get("metadata.version").maxVersionLevel();
        get(admin.updateFeatures(Map.of("metadata.version", new FeatureUpdate(level, FeatureUpdate.UpgradeType.UPGRADE)), new UpdateFeaturesOptions().validateOnly(true)).all());
        return "ok";
      });
      check("updateFeatures(metadata.version downgrade)", () -> {
        get(admin.updateFeatures(Map.of("metadata.version", new FeatureUpdate((short) 7, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)), new UpdateFeaturesOptions().validateOnly(true)).all());
        return "ok";
      });
      check("updateFeatures(unknown feature)", () -> {
        get(admin.updateFeatures(Map.of("no.such.feature", new FeatureUpdate((short) 1, FeatureUpdate.UpgradeType.UPGRADE)), new UpdateFeaturesOptions().validateOnly(true)).all());
        return "ok";
      });
      check("updateFeatures(group.version beyond supported)", () -> {
        get(admin.updateFeatures(Map.of("group.version", new FeatureUpdate((short) 99, FeatureUpdate.UpgradeType.UPGRADE)), new UpdateFeaturesOptions().validateOnly(true)).all());
        return "ok";
      });

      check("electLeaders(PREFERRED)", () -> {
        var r = get(admin.electLeaders(ElectionType.PREFERRED, Set.of(tp0)).partitions());
        return "tp0=" + r.get(tp0).map(e -> e.getClass().getSimpleName()).orElse("elected") + "\t" + r.get(tp0).map(Throwable::getMessage).orElse("");
      });
      check("electLeaders(UNCLEAN)", () -> {
        var r = get(admin.electLeaders(ElectionType.UNCLEAN, Set.of(tp0)).partitions());
        return "tp0=" + r.get(tp0).map(e -> e.getClass().getSimpleName()).orElse("elected");
      });
      check("electLeaders(PREFERRED, all partitions)", () -> "partitions=" + get(admin.electLeaders(ElectionType.PREFERRED, null).partitions()).size());
      check("electLeaders(unknown partition)", () -> {
        TopicPartition missing = new TopicPartition(prefix + "-missing", 0);
        var r = get(admin.electLeaders(ElectionType.PREFERRED, Set.of(missing)).partitions());
        return "missing=" + r.get(missing).map(e -> e.getClass().getSimpleName()).orElse("elected") + "\t" + r.get(missing).map(Throwable::getMessage).orElse("");
      });
      check("listPartitionReassignments", () -> "reassignments=" + get(admin.listPartitionReassignments().reassignments()).size());
      check("alterPartitionReassignments(same replicas)", () -> {
        get(admin.alterPartitionReassignments(Map.of(tp0, Optional.of(new NewPartitionReassignment(List.of(1))))).all());
        return "ok";
      });
      check("alterPartitionReassignments(missing broker)", () -> {
        get(admin.alterPartitionReassignments(Map.of(tp0, Optional.of(new NewPartitionReassignment(List.of(2))))).all());
        return "ok";
      });
      check("alterPartitionReassignments(cancel)", () -> {
        get(admin.alterPartitionReassignments(Map.of(tp0, Optional.empty())).all());
        return "ok";
      });

      ClientQuotaEntity alice = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "alice"));
      check("describeClientQuotas", () -> "entities=" + get(admin.describeClientQuotas(ClientQuotaFilter.all()).entities()).size());
      check("alterClientQuotas", () -> {
        get(admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 1024.0))))).all());
        return "ok";
      });
      check("describeClientQuotas(after alter)", () -> {
        // Kafka applies a quota through its metadata log: it may show a moment after the alter returns.
        Map<ClientQuotaEntity, Map<String, Double>> entities = Map.of();
        for (int i = 0; i < 25 && entities.isEmpty(); i++) {
          entities = get(admin.describeClientQuotas(ClientQuotaFilter.all()).entities());
          if (entities.isEmpty()) Thread.sleep(200);
        }
        return "entities=" + entities.size() + "\t" + entities;
      });
      check("alterClientQuotas(remove)", () -> {
        get(admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", null))))).all());
        return "ok";
      });
      check("alterClientQuotas(unknown key)", () -> {
        get(admin.alterClientQuotas(List.of(new ClientQuotaAlteration(alice, List.of(new ClientQuotaAlteration.Op("no_such_quota", 1.0))))).all());
        return "ok";
      });

      AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
      check("describeAcls", () -> "acls=" + get(admin.describeAcls(AclBindingFilter.ANY).values()).size());
      check("createAcls", () -> { get(admin.createAcls(List.of(binding)).all()); return "ok"; });
      check("deleteAcls", () -> "deleted=" + get(admin.deleteAcls(List.of(AclBindingFilter.ANY)).all()).size());

      check("listGroups", () -> {
        var groups = get(admin.listGroups().all()).stream().map(g -> g.groupId()).collect(Collectors.toSet());
        return "classic=" + groups.contains(classicGroup) + " consumer=" + groups.contains(consumerGroup);
      });
      check("listConsumerGroups", () -> {
        @SuppressWarnings("deprecation")
        var groups = get(admin.listConsumerGroups().all()).stream().map(g -> g.groupId()).collect(Collectors.toSet());
        return "classic=" + groups.contains(classicGroup) + " consumer=" + groups.contains(consumerGroup);
      });
      check("describeConsumerGroups", () -> {
        var m = get(admin.describeConsumerGroups(List.of(classicGroup, consumerGroup), new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true)).all());
        var c = m.get(classicGroup);
        var k = m.get(consumerGroup);
        return "classic=" + c.groupState() + "/" + c.type() + "/" + ops(c.authorizedOperations())
          + " consumer=" + k.groupState() + "/" + k.type() + "/members=" + k.members().size() + "/" + ops(k.authorizedOperations());
      });
      check("describeClassicGroups", () -> {
        var c = get(admin.describeClassicGroups(List.of(classicGroup), new DescribeClassicGroupsOptions().includeAuthorizedOperations(true)).all()).get(classicGroup);
        return "state=" + c.state() + " protocol=" + c.protocol() + " authorizedOperations=" + ops(c.authorizedOperations());
      });
      check("listConsumerGroupOffsets", () -> {
        var r = get(admin.listConsumerGroupOffsets(classicGroup).partitionsToOffsetAndMetadata());
        return "tp0=" + r.get(tp0).offset() + " tp1=" + r.get(tp1).offset();
      });
      check("alterConsumerGroupOffsets", () -> {
        get(admin.alterConsumerGroupOffsets(classicGroup, Map.of(tp0, new OffsetAndMetadata(1))).all());
        return "ok";
      });
      check("deleteConsumerGroupOffsets", () -> { get(admin.deleteConsumerGroupOffsets(classicGroup, Set.of(tp1)).all()); return "ok"; });
      check("removeMembersFromConsumerGroup(consumer protocol, all)", () -> {
        get(admin.removeMembersFromConsumerGroup(consumerGroup, new RemoveMembersFromConsumerGroupOptions()).all());
        return "ok";
      });
      check("removeMembersFromConsumerGroup(classic, all of none)", () -> {
        get(admin.removeMembersFromConsumerGroup(classicGroup, new RemoveMembersFromConsumerGroupOptions()).all());
        return "ok";
      });
      check("removeMembersFromConsumerGroup(unknown static member)", () -> {
        get(admin.removeMembersFromConsumerGroup(consumerGroup, new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove("no-such-instance")))).all());
        return "ok";
      });
      stop.set(true);
      member.join(30000);
      check("deleteConsumerGroups", () -> { get(admin.deleteConsumerGroups(List.of(classicGroup)).all()); return "ok"; });

      check("describeShareGroups", () -> "state=" + get(admin.describeShareGroups(List.of(prefix + "-share")).all()).get(prefix + "-share").groupState());
      check("listShareGroupOffsets", () -> "partitions=" + get(admin.listShareGroupOffsets(Map.of(prefix + "-share", new ListShareGroupOffsetsSpec())).all()).size());
      check("alterShareGroupOffsets", () -> { get(admin.alterShareGroupOffsets(prefix + "-share", Map.of(tp0, 0L)).all()); return "ok"; });
      check("deleteShareGroupOffsets", () -> { get(admin.deleteShareGroupOffsets(prefix + "-share", Set.of(topic)).all()); return "ok"; });
      check("deleteShareGroups", () -> { get(admin.deleteShareGroups(List.of(prefix + "-share")).all()); return "ok"; });

      check("describeStreamsGroups", () -> "state=" + get(admin.describeStreamsGroups(List.of(prefix + "-streams")).all()).get(prefix + "-streams").groupState());
      check("listStreamsGroupOffsets", () -> "partitions=" + get(admin.listStreamsGroupOffsets(Map.of(prefix + "-streams", new ListStreamsGroupOffsetsSpec())).all()).size());
      check("alterStreamsGroupOffsets", () -> { get(admin.alterStreamsGroupOffsets(prefix + "-streams", Map.of(tp0, new OffsetAndMetadata(0))).all()); return "ok"; });
      check("deleteStreamsGroupOffsets", () -> { get(admin.deleteStreamsGroupOffsets(prefix + "-streams", Set.of(tp0)).all()); return "ok"; });
      check("deleteStreamsGroups", () -> { get(admin.deleteStreamsGroups(List.of(prefix + "-streams")).all()); return "ok"; });

      check("listTransactions", () -> "transactions=" + get(admin.listTransactions().all()).size());
      check("describeTransactions", () -> "state=" + get(admin.describeTransactions(List.of(prefix + "-txn")).all()).get(prefix + "-txn").state());
      check("abortTransaction", () -> { get(admin.abortTransaction(new AbortTransactionSpec(tp0, 12345L, (short) 0, 0)).all()); return "ok"; });
      check("fenceProducers", () -> { get(admin.fenceProducers(List.of(prefix + "-txn")).all()); return "ok"; });
      check("forceTerminateTransaction", () -> { get(admin.forceTerminateTransaction(prefix + "-txn").result()); return "ok"; });

      check("describeUserScramCredentials", () -> "users=" + get(admin.describeUserScramCredentials().all()).size());
      check("alterUserScramCredentials", () -> {
        get(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "secret"))).all());
        return "ok";
      });
      check("createDelegationToken", () -> { get(admin.createDelegationToken().delegationToken()); return "ok"; });
      check("renewDelegationToken", () -> { get(admin.renewDelegationToken(new byte[] {1, 2, 3}).expiryTimestamp()); return "ok"; });
      check("expireDelegationToken", () -> { get(admin.expireDelegationToken(new byte[] {1, 2, 3}).expiryTimestamp()); return "ok"; });
      check("describeDelegationToken", () -> "tokens=" + get(admin.describeDelegationToken().delegationTokens()).size());

      check("describeMetadataQuorum", () -> {
        var quorum = get(admin.describeMetadataQuorum().quorumInfo());
        return "voters=" + quorum.voters().size() + " leader=" + quorum.leaderId() + " observers=" + quorum.observers().size()
            + " hwPositive=" + (quorum.highWatermark() > 0) + " voterIsLeader=" + (quorum.voters().get(0).replicaId() == quorum.leaderId());
      });
      check("addRaftVoter", () -> { get(admin.addRaftVoter(2, Uuid.randomUuid(), Set.of(new RaftVoterEndpoint("CONTROLLER", "127.0.0.1", 1))).all()); return "ok"; });
      check("removeRaftVoter", () -> { get(admin.removeRaftVoter(2, Uuid.randomUuid()).all()); return "ok"; });
      check("unregisterBroker", () -> { get(admin.unregisterBroker(2).all()); return "ok"; });
      check("unregisterController", () -> { get(admin.unregisterController(2).all()); return "ok"; });
      check("clientInstanceId", () -> { admin.clientInstanceId(Duration.ofSeconds(5)); return "ok"; });
      @SuppressWarnings("deprecation")
      Body listClientMetrics = () -> "resources=" + get(admin.listClientMetricsResources().all()).size();
      check("listClientMetricsResources", listClientMetrics);
      check("metrics", () -> admin.metrics().isEmpty() ? "empty" : "ok");
      check("deleteTopics", () -> { get(admin.deleteTopics(List.of(topic)).all()); return "ok"; });
    }
  }
}
