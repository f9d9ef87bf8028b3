/** Every sentence the cabinet says to a person, in Azerbaijani, in one place. */
export const messages = {
  unexpected: 'Gözlənilməz xəta baş verdi. Bir az sonra yenidən cəhd edin.',
  unavailable: 'Xidmət hazırda əlçatan deyil. Bir neçə dəqiqədən sonra yenidən cəhd edin.',
  badRequest: 'Sorğu düzgün deyil. Səhifəni yeniləyib yenidən cəhd edin.',
  csrf: 'Formun etibarlılıq müddəti bitib və ya forma başqa yerdən göndərilib. '
    + 'Səhifəni yeniləyib yenidən göndərin.',

  documentFormat: 'Sənədin seriyası və ya nömrəsi düzgün deyil. Yeni nəsil vəsiqə üçün seriya '
    + '«-», nömrə AA və 7 rəqəm (AA0123456); köhnə vəsiqə üçün AZE və 8 rəqəm; '
    + 'MYI və DYI üçün 7 və ya 8 rəqəm.',
  finFormat: 'FİN 7 simvoldan ibarətdir: rəqəmlər və böyük latın hərfləri.',
  unknownDocument: 'Bu sənəd əhali reyestrində tapılmadı. Seriya və nömrəni yoxlayın.',
  finMismatch: 'FİN göstərilən sənədə uyğun gəlmir.',
  alreadyRegistered: 'Bu şəxs üçün şəxsi kabinet artıq açılıb. Sənəd nömrəniz və şifrənizlə '
    + 'daxil olun və ya şifrəni bərpa edin.',
  weakPassword: 'Şifrə ən azı 8 simvol olmalı, həm hərf, həm də rəqəm daxil etməlidir.',
  passwordsDiffer: 'Şifrə və onun təkrarı eyni deyil.',
  mobileFormat: 'Mobil nömrə düzgün deyil. Nümunə: +994 50 123 45 67.',
  emailFormat: 'E-poçt ünvanı düzgün deyil. Nümunə: ad@example.az.',
  homePhoneFormat: 'Ev telefonu 7–15 rəqəmdən ibarət olmalıdır.',
  tooLong: 'Mətn çox uzundur.',
  registrationExpired: 'Qeydiyyatın birinci addımının vaxtı keçib. '
    + 'Sənəd məlumatlarını yenidən daxil edin.',

  loginFormat: 'Kabinet nömrəsi və ya sənəd nömrəsi düzgün yazılmayıb.',
  loginFailed: 'Kabinet nömrəsi, sənəd nömrəsi və ya şifrə yanlışdır.',
  loginBlocked: 'Kabinetiniz bloklanıb. Mərkəzə müraciət edin.',
  locked: (minutes: number) => `Həddən artıq uğursuz cəhd oldu. ${minutes} dəqiqədən sonra `
    + 'yenidən cəhd edin.',
  loggedOut: 'Kabinetdən çıxdınız.',

  documentRefreshed: 'Sənəd və şəxsi məlumatlar əhali reyestrindən yeniləndi.',
  documentOfOther: 'Bu sənəd sizin FİN-ə aid deyil.',
  documentTaken: 'Bu sənəd başqa şəxsi kabinetə bağlıdır. Mərkəzə müraciət edin.',

  contactsSaved: 'Əlaqə məlumatları saxlanıldı.',
  codeSent: (phone: string) => `${phone} nömrəsinə 6 rəqəmli kod göndərildi. `
    + 'Kod 5 dəqiqə etibarlıdır.',
  codeWrong: (left: number) => `Kod yanlışdır. ${left} cəhdiniz qalıb.`,
  codeExpired: 'Kodun vaxtı bitib. Yeni kod istəyin.',
  codeExhausted: 'Cəhdlərin sayı bitib. Yeni kod istəyin.',
  codeUnknown: 'Kod tapılmadı. Yeni kod istəyin.',
  codeFormat: 'Kod 6 rəqəmdən ibarətdir.',
  codeThrottled: (seconds: number) => `Yeni kodu ${seconds} saniyədən sonra istəyə bilərsiniz.`,
  smsFailed: 'SMS göndərilə bilmədi. Bir az sonra yenidən cəhd edin.',
  mobileConfirmed: 'Mobil nömrə təsdiqləndi.',
  noPendingMobile: 'Təsdiq gözləyən mobil nömrə yoxdur.',

  oldPasswordWrong: 'Hazırkı şifrə yanlışdır.',
  samePassword: 'Yeni şifrə hazırkı şifrədən fərqli olmalıdır.',
  passwordChanged: 'Şifrə dəyişdirildi. Digər cihazlardakı seanslar bağlandı.',
  resetSent: 'Məlumatlar düzgündürsə, təsdiqlənmiş mobil nömrənizə 6 rəqəmli kod göndərildi.',
  resetDone: 'Şifrə yeniləndi. Yeni şifrə ilə daxil olun.',
  resetExpired: 'Şifrə bərpası yenidən başlanmalıdır.',
  required: 'Bu xana doldurulmalıdır.',
}
