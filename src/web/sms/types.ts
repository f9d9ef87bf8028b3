/** One text message to one phone number in international form (+994 and nine digits). */
export interface SmsMessage {
  to: string
  text: string
}

/**
 * Sends text messages. Throws GatewayError 'unavailable' when the message
 * may not have gone out, so the page can ask the person to try again.
 */
export interface SmsSender {
  readonly driver: string
  send(message: SmsMessage): Promise<void>
}

/** +994501234567 → +99450*****67: enough to recognise, too little to reuse. */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length)
  return `${phone.slice(0, 6)}${'*'.repeat(phone.length - 8)}${phone.slice(-2)}`
}
