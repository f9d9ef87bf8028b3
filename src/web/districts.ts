/** Suggestions for the "actual district" field (cities, Baku's districts, regions). */
export const districts: readonly string[] = [
  'Bakı', 'Binəqədi', 'Qaradağ', 'Xətai', 'Xəzər', 'Nərimanov', 'Nəsimi', 'Nizami',
  'Pirallahı', 'Sabunçu', 'Səbail', 'Suraxanı', 'Yasamal', 'Gəncə', 'Sumqayıt', 'Mingəçevir',
  'Şirvan', 'Naxçıvan', 'Lənkəran', 'Şəki', 'Yevlax', 'Xankəndi', 'Naftalan', 'Abşeron',
  'Ağcabədi', 'Ağdam', 'Ağdaş', 'Ağstafa', 'Ağsu', 'Astara', 'Babək', 'Balakən', 'Beyləqan',
  'Bərdə', 'Biləsuvar', 'Cəbrayıl', 'Cəlilabad', 'Culfa', 'Daşkəsən', 'Füzuli', 'Gədəbəy',
  'Goranboy', 'Göyçay', 'Göygöl', 'Hacıqabul', 'İmişli', 'İsmayıllı', 'Kəlbəcər', 'Kəngərli',
  'Kürdəmir', 'Laçın', 'Lerik', 'Masallı', 'Neftçala', 'Oğuz', 'Ordubad', 'Qax', 'Qazax',
  'Qəbələ', 'Qobustan', 'Quba', 'Qubadlı', 'Qusar', 'Saatlı', 'Sabirabad', 'Salyan', 'Samux',
  'Sədərək', 'Siyəzən', 'Şabran', 'Şahbuz', 'Şamaxı', 'Şəmkir', 'Şərur', 'Şuşa', 'Tərtər',
  'Tovuz', 'Ucar', 'Xaçmaz', 'Xızı', 'Xocalı', 'Xocavənd', 'Yardımlı', 'Zaqatala', 'Zəngilan',
  'Zərdab',
]
