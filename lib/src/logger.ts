import { pino, type Logger } from 'pino'
import type { LogConfig } from './config.js'

export type { Logger }

/** JSON logs on stdout; secrets never leave the process. Lifecycle and faults only, never per event. */
export function createLogger(config: LogConfig, name: string): Logger {
  return pino({
    name,
    level: config.level,
    redact: {
      paths: ['req.headers.sign', 'req.headers.authorization', '*.password', 'password', '*.connectionString'],
      censor: '[redacted]',
    },
  })
}
