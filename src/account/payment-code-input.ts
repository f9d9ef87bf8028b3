import { isPaymentCode, paymentCodeLength } from '../payments/code.ts'

export type CodeInputProblem = 'format' | 'check_digit'

/** A typed payment code with the spaces and dashes people put in it removed. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s\u2010-\u2015\u2212-]/gu, '')
}

/**
 * Why a typed code cannot be a payment code, or null when it can: `format`
 * when it is not 15 digits, `check_digit` when its last digit does not match.
 */
export function codeInputProblem(code: string): CodeInputProblem | null {
  if (!new RegExp(`^[1-9]\\d{${paymentCodeLength - 1}}$`).test(code)) return 'format'
  return isPaymentCode(code) ? null : 'check_digit'
}
