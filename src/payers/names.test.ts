import test from 'ava'
import { azUpper, fullName, maskedName } from './names.ts'

const masks: Array<[[string, string, string], string]> = [
  [['HƏMİDOV', 'VÜSAL', 'MUSƏYRƏLİ OĞLU'], 'HƏMİDOV V. M.'],
  [['həmidov', 'vüsal', 'musəyrəli oğlu'], 'HƏMİDOV V. M.'],
  [['ismayılova', 'səbinə', 'hüseyn qızı'], 'İSMAYILOVA S. H.'],
  [['YILMAZ', 'ELİF', ''], 'YILMAZ E.'],
  [['CƏFƏROVA', 'LALƏ', '<TOĞRUL> & CO QIZI'], 'CƏFƏROVA L. T.'],
  [["o'neil", 'şahin', 'çingiz oğlu'], "O'NEİL Ş. Ç."],
  [['  ƏLİYEVA-ŞÜKÜROVA ', ' aygün', 'ömər  qızı'], 'ƏLİYEVA-ŞÜKÜROVA A. Ö.'],
  [['quliyev', 'ilqar', 'ibrahim oğlu'], 'QULİYEV İ. İ.'],
]
for (const [[surname, name, patronymic], masked] of masks) {
  test(`${surname} ${name} ${patronymic} is shown as ${masked}`, (t) => {
    t.is(maskedName({ surname, name, patronymic }), masked)
  })
}

test('the full name keeps every part, upper-cased the Azerbaijani way', (t) => {
  t.is(fullName({ surname: 'həmidov', name: 'vüsal', patronymic: 'musəyrəli  oğlu' }),
    'HƏMİDOV VÜSAL MUSƏYRƏLİ OĞLU')
  t.is(fullName({ surname: 'YILMAZ', name: 'ELİF', patronymic: '' }), 'YILMAZ ELİF')
})

test('Azerbaijani upper-casing maps i to İ and ı to I', (t) => {
  t.is(azUpper('iı'), 'İI')
  t.is(azUpper('qızı'), 'QIZI')
  t.is(azUpper('əliyev'), 'ƏLİYEV')
})
