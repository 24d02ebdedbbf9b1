/** Shim of `k6/encoding`: standard base64 (k6's default encoding). */
export function b64encode(input: string): string {
  return Buffer.from(input).toString('base64')
}

export function b64decode(input: string, _encoding?: string, format?: string): string | ArrayBuffer {
  const bytes = Buffer.from(input, 'base64')
  return format === 's' ? bytes.toString() : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)
}
