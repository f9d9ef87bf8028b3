import type { ConfirmRefusal, RedeemRefusal, StartRefusal } from '../../account/index.ts'

/** What the account pages say, in Azerbaijani, in one place. */
export const accountMessages = {
  redeemed: (amount: string, code: string) =>
    `${code} kodu üzrə ${amount} hesabınıza əlavə edildi.`,
  redeem: {
    format: 'Ödəniş kodu 15 rəqəmdən ibarətdir. Kodu qəbzdən olduğu kimi köçürün.',
    check_digit: 'Kodda səhv var: son rəqəm (yoxlama rəqəmi) uyğun gəlmir. Rəqəmləri '
      + 'qəbzlə tutuşdurun.',
    unknown: 'Belə ödəniş kodu yoxdur. Rəqəmləri qəbzlə tutuşdurun.',
    redeemed: 'Bu kod artıq istifadə edilib və yenidən hesaba əlavə edilə bilməz.',
    redeemed_here: 'Bu kod artıq sizin hesabınıza əlavə edilib.',
    direct_credit: 'Bu kod birbaşa şəxsi kabinetə edilmiş ödənişə aiddir: məbləğ ödəniş '
      + 'zamanı həmin kabinetin hesabına artıq əlavə edilib. Kodu ayrıca daxil etmək lazım deyil.',
    pending: 'Bu kod üzrə ödəniş hələ emal olunur. Bir neçə dəqiqədən sonra yenidən cəhd edin.',
    reversed: 'Bu kod üzrə ödəniş ləğv edilib.',
    blocked: 'Kabinetiniz bloklanıb. Mərkəzə müraciət edin.',
  } satisfies Record<RedeemRefusal, string>,
  redeemLocked: (minutes: number) => `Həddən artıq yanlış kod daxil edildi. ${minutes} `
    + 'dəqiqədən sonra yenidən cəhd edin.',

  start: {
    wrong_password: 'Şifrə yanlışdır.',
    recipient_format: 'Kabinet nömrəsi düzgün deyil: rəqəmləri yoxlayın (son rəqəm yoxlama '
      + 'rəqəmidir).',
    recipient_not_found: 'Bu nömrəli şəxsi kabinet yoxdur.',
    recipient_blocked: 'Bu şəxsi kabinetə köçürmə etmək mümkün deyil.',
    self: 'Öz hesabınıza köçürmə etmək olmaz.',
    blocked: 'Kabinetiniz bloklanıb. Mərkəzə müraciət edin.',
  } satisfies Record<StartRefusal, string>,
  confirm: {
    unknown_token: 'Köçürmə forması etibarsızdır. Köçürməni yenidən başlayın.',
    expired: 'Köçürmə formasının vaxtı bitib. Köçürməni yenidən başlayın.',
    insufficient_funds: 'Hesabınızda bu məbləğ üçün kifayət qədər vəsait yoxdur.',
    recipient_blocked: 'Bu şəxsi kabinetə köçürmə etmək mümkün deyil.',
    blocked: 'Kabinetiniz bloklanıb. Mərkəzə müraciət edin.',
    done_with_other_amount: 'Bu köçürmə artıq başqa məbləğlə edilib. Yeni köçürmə üçün '
      + 'köçürməni yenidən başlayın.',
    amount_format: 'Məbləği nöqtə ilə yazın, məsələn 10.50.',
    amount_too_small: 'Məbləğ sıfırdan böyük olmalıdır.',
    amount_too_large: 'Məbləğ icazə verilən həddən böyükdür.',
  } satisfies Record<ConfirmRefusal, string>,
  transferred: 'Köçürmə edildi.',
  transferReplayed: 'Bu köçürmə artıq edilib; məbləğ ikinci dəfə köçürülmədi.',
  required: 'Bu xana doldurulmalıdır.',
}
