/**
 * The kafkajs types the rest of the code names (consumers, the DLQ producer, the admin client,
 * consumed records). Only lib/src/kafka imports kafkajs: moving to another client changes
 * this folder, not its users.
 */
export type { Admin, Consumer, EachBatchPayload, IHeaders, ITopicConfig, Kafka, KafkaMessage, Producer } from 'kafkajs'
