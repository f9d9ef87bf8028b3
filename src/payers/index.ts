export {
  cabinetCheckDigit, cabinetNumberFromBase, normaliseRef, parseCabinetNumber, parseDocument,
  parseDocumentParts, parseFin,
} from './formats.ts'
export type { DocumentSeries, ParsedDocument, RefInput } from './formats.ts'
export { azUpper, fullName, maskedName } from './names.ts'
export type { PersonName } from './names.ts'
export { checkPasswordStrength, hashPassword, verifyPassword } from './password.ts'
export { parseEmail, parseMobile } from './contact.ts'
export { personFields, toPerson } from './person.ts'
export type { Person } from './person.ts'
export { createRegistry, httpRegistry, localRegistry } from './registry.ts'
export type { HttpRegistryOptions, PopulationRegistry } from './registry.ts'
export { importPeople } from './import.ts'
export type { ImportOptions, ImportReport } from './import.ts'
export {
  blockCabinet, createCabinet, findCabinet, nextCabinetNumber, unblockCabinet,
} from './cabinets.ts'
export type { Cabinet, CabinetKey, NewCabinet } from './cabinets.ts'
export { payerByKey, payerKey, resolvePayer } from './resolve.ts'
export type { PayerKey, PayerMode, ResolvedPayer } from './resolve.ts'
