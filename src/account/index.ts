export { codeInputProblem, normaliseCode } from './payment-code-input.ts'
export type { CodeInputProblem } from './payment-code-input.ts'
export {
  defaultBatchName, findVoucher, issueVouchers, maxBatchCount, outstandingVouchers,
  recordVoucherPayment, recordVoucherSales,
} from './vouchers.ts'
export type { IssueRequest, IssuedBatch, Voucher, VoucherSale } from './vouchers.ts'
export { redeemCode } from './redeem.ts'
export type { RedeemOutcome, RedeemRefusal } from './redeem.ts'
export {
  confirmTransfer, findTransferIntent, findTransferReceipt, startTransfer, transferTokenMs,
} from './transfers.ts'
export type {
  ConfirmOutcome, ConfirmRefusal, StartOutcome, StartRefusal, TransferIntent, TransferReceipt,
} from './transfers.ts'
export { createCharge, getCharge, refundCharge } from './charges.ts'
export type {
  Answer, ChargeClient, ChargeRequest, ChargeResource, ChargeState, RefundRequest,
  RefundResource,
} from './charges.ts'
