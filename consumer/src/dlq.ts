/**
 * Dead letters: records that cannot be decoded or that Postgres rejects go to the DLQ topic
 * with the reason in headers, so that the partition moves on and nothing disappears.
 * Sent (acks=all) before the sink commits past them: a crash in between duplicates a dead
 * letter, never loses one.
 */
import type { IHeaders, KafkaMessage, Producer } from '../../lib/src/kafka/types.js'

export interface DeadLetter {
  readonly topic: string
  readonly partition: number
  readonly message: KafkaMessage
  /** A stable code (PIPELINE_RECORD_UNDECODABLE, PIPELINE_ROW_REJECTED, …). */
  readonly reason: string
  readonly detail: string
}

export interface DeadLetters {
  send(letters: readonly DeadLetter[]): Promise<void>
}

const MAX_DETAIL = 1000

export function dlqHeaders(letter: DeadLetter, group: string): IHeaders {
  return {
    ...letter.message.headers,
    'dlq-reason': letter.reason,
    'dlq-error': letter.detail.slice(0, MAX_DETAIL),
    'dlq-topic': letter.topic,
    'dlq-partition': String(letter.partition),
    'dlq-offset': letter.message.offset,
    'dlq-group': group,
    'dlq-at': new Date().toISOString(),
  }
}

export function createDeadLetters({ producer, topic, group }: { producer: Pick<Producer, 'send'>; topic: string; group: string }): DeadLetters {
  return {
    async send(letters) {
      if (letters.length === 0) return
      await producer.send({
        topic,
        acks: -1,
        messages: letters.map((letter) => ({
          key: letter.message.key,
          value: letter.message.value,
          headers: dlqHeaders(letter, group),
        })),
      })
    },
  }
}
