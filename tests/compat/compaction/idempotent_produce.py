# Creates a one-partition topic and sends 7 records with kafka-python 3's idempotent producer, so that
# kafka-transactions.sh describe-producers has one producer to show (epoch 0, last sequence 6).
# Usage: python idempotent_produce.py HOST:PORT TOPIC
import sys

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, 1, 1)])
admin.close()
producer = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
for i in range(7):
    producer.send(topic, key=b"k", value=b"v%d" % i, partition=0).get(timeout=30)
producer.close()
