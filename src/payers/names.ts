/** The parts of a person's name as the population registry holds them. */
export interface PersonName {
  surname: string
  name: string
  patronymic: string
}

/** Upper-cases by Azerbaijani rules: i becomes İ and ı becomes I, whatever the locale. */
export function azUpper(text: string): string {
  return text.replace(/i/g, 'İ').replace(/ı/g, 'I').toUpperCase()
}

function clean(text: string): string {
  return azUpper(text.trim().replace(/\s+/g, ' '))
}

// The first letter, skipping quotes, brackets and other marks.
function initial(text: string): string {
  const letter = clean(text).match(/\p{L}\p{M}*/u)
  return letter ? `${letter[0]}.` : ''
}

/**
 * What a terminal or an unauthenticated page may show: the surname and the
 * initials, e.g. `HƏMİDOV V. M.`.
 */
export function maskedName(person: PersonName): string {
  return [clean(person.surname), initial(person.name), initial(person.patronymic)]
    .filter((part) => part !== '').join(' ')
}

/** Surname, name and patronymic in full, for the holder and operators only. */
export function fullName(person: PersonName): string {
  return [person.surname, person.name, person.patronymic].map(clean)
    .filter((part) => part !== '').join(' ')
}
