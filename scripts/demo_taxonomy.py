"""The taxonomy behind the demo dataset: real names and NCBI tax IDs.

One line per taxon: `tax_id|parent_tax_id|rank|name`. Ranks and placements
follow the NCBI taxonomy as One Codex reports it (pre-2021 phylum names such
as Firmicutes and Proteobacteria, genus names such as Lactobacillus before its
2020 split), trimmed to the taxa the demo profiles use. Used only by
`make_demo_data.py`.
"""

TAXONOMY = """
1||no rank|root
131567|1|no rank|cellular organisms
2|131567|superkingdom|Bacteria
2157|131567|superkingdom|Archaea
2759|131567|superkingdom|Eukaryota
10239|1|superkingdom|Viruses
1783270|2|no rank|FCB group
68336|1783270|no rank|Bacteroidetes/Chlorobi group
976|68336|phylum|Bacteroidetes
1783272|2|no rank|Terrabacteria group
1239|1783272|phylum|Firmicutes
201174|1783272|phylum|Actinobacteria
1297|1783272|phylum|Deinococcus-Thermus
200795|1783272|phylum|Chloroflexi
1224|2|phylum|Proteobacteria
1783257|2|no rank|PVC group
74201|1783257|phylum|Verrucomicrobia
32066|2|phylum|Fusobacteria
203691|2|phylum|Spirochaetes
40117|2|phylum|Nitrospirae
200643|976|class|Bacteroidia
171549|200643|order|Bacteroidales
815|171549|family|Bacteroidaceae
816|815|genus|Bacteroides
817|816|species|Bacteroides fragilis
818|816|species|Bacteroides thetaiotaomicron
821|816|species|Bacteroides vulgatus
820|816|species|Bacteroides uniformis
28116|816|species|Bacteroides ovatus
47678|816|species|Bacteroides caccae
46506|816|species|Bacteroides stercoris
28111|816|species|Bacteroides eggerthii
246787|816|species|Bacteroides cellulosilyticus
371601|816|species|Bacteroides xylanisolvens
357276|816|species|Bacteroides dorei
329854|816|species|Bacteroides intestinalis
338188|816|species|Bacteroides finegoldii
310297|816|species|Bacteroides plebeius
171552|171549|family|Prevotellaceae
838|171552|genus|Prevotella
165179|838|species|Prevotella copri
28132|838|species|Prevotella melaninogenica
470565|838|species|Prevotella histicola
28131|838|species|Prevotella intermedia
28129|838|species|Prevotella denticola
28126|838|species|Prevotella buccae
171550|171549|family|Rikenellaceae
239759|171550|genus|Alistipes
28117|239759|species|Alistipes putredinis
328814|239759|species|Alistipes shahii
328813|239759|species|Alistipes onderdonkii
214856|239759|species|Alistipes finegoldii
171551|171549|family|Porphyromonadaceae
836|171551|genus|Porphyromonas
837|836|species|Porphyromonas gingivalis
28124|836|species|Porphyromonas endodontalis
2005525|171549|family|Tannerellaceae
375288|2005525|genus|Parabacteroides
823|375288|species|Parabacteroides distasonis
46503|375288|species|Parabacteroides merdae
328812|375288|species|Parabacteroides goldsteinii
2005519|171549|family|Barnesiellaceae
397864|2005519|genus|Barnesiella
487174|397864|species|Barnesiella intestinihominis
117743|976|class|Flavobacteriia
200644|117743|order|Flavobacteriales
49546|200644|family|Flavobacteriaceae
237|49546|genus|Flavobacterium
986|237|species|Flavobacterium johnsoniae
59732|49546|genus|Chryseobacterium
250|59732|species|Chryseobacterium gleum
308865|49546|genus|Elizabethkingia
238|308865|species|Elizabethkingia meningoseptica
1016|49546|genus|Capnocytophaga
1017|1016|species|Capnocytophaga gingivalis
1018|1016|species|Capnocytophaga ochracea
186801|1239|class|Clostridia
186802|186801|order|Clostridiales
541000|186802|family|Ruminococcaceae
216851|541000|genus|Faecalibacterium
853|216851|species|Faecalibacterium prausnitzii
1263|541000|genus|Ruminococcus
40518|1263|species|Ruminococcus bromii
40519|1263|species|Ruminococcus callidus
1264|1263|species|Ruminococcus albus
1265|1263|species|Ruminococcus flavefaciens
292632|541000|genus|Subdoligranulum
214851|292632|species|Subdoligranulum variabile
459786|541000|genus|Oscillibacter
351091|459786|species|Oscillibacter valericigenes
204475|541000|genus|Gemmiger
745368|204475|species|Gemmiger formicilis
186803|186802|family|Lachnospiraceae
841|186803|genus|Roseburia
166486|841|species|Roseburia intestinalis
360807|841|species|Roseburia inulinivorans
301301|841|species|Roseburia hominis
301302|841|species|Roseburia faecis
572511|186803|genus|Blautia
40520|572511|species|Blautia obeum
418240|572511|species|Blautia wexlerae
89014|572511|species|Blautia luti
33035|572511|species|Blautia producta
33042|186803|genus|Coprococcus
410072|33042|species|Coprococcus comes
33043|33042|species|Coprococcus eutactus
116085|33042|species|Coprococcus catus
189330|186803|genus|Dorea
88431|189330|species|Dorea longicatena
39486|189330|species|Dorea formicigenerans
207244|186803|genus|Anaerostipes
649756|207244|species|Anaerostipes hadrus
105841|207244|species|Anaerostipes caccae
1766253|186803|genus|Agathobacter
39491|1766253|species|Agathobacter rectalis
1407607|186803|genus|Fusicatenibacter
1150298|1407607|species|Fusicatenibacter saccharivorans
28050|186803|genus|Lachnospira
28052|28050|species|Lachnospira pectinoschiza
31979|186802|family|Clostridiaceae
1485|31979|genus|Clostridium
1502|1485|species|Clostridium perfringens
1492|1485|species|Clostridium butyricum
1509|1485|species|Clostridium sporogenes
1559|1485|species|Clostridium tertium
29363|1485|species|Clostridium paraputrificum
186804|186802|family|Peptostreptococcaceae
1870884|186804|genus|Clostridioides
1496|1870884|species|Clostridioides difficile
1505657|186804|genus|Intestinibacter
261299|1505657|species|Intestinibacter bartlettii
186806|186802|family|Eubacteriaceae
1730|186806|genus|Eubacterium
1736|1730|species|Eubacterium limosum
39492|1730|species|Eubacterium siraeum
39496|1730|species|Eubacterium ventriosum
990719|186802|family|Christensenellaceae
990721|990719|genus|Christensenella
626937|990721|species|Christensenella minuta
909932|1239|class|Negativicutes
1843489|909932|order|Veillonellales
31977|1843489|family|Veillonellaceae
29465|31977|genus|Veillonella
29466|29465|species|Veillonella parvula
39777|29465|species|Veillonella atypica
39778|29465|species|Veillonella dispar
906|31977|genus|Megasphaera
907|906|species|Megasphaera elsdenii
39948|31977|genus|Dialister
218538|39948|species|Dialister invisus
1843488|909932|order|Acidaminococcales
909930|1843488|family|Acidaminococcaceae
904|909930|genus|Acidaminococcus
187327|904|species|Acidaminococcus intestini
33024|909930|genus|Phascolarctobacterium
33025|33024|species|Phascolarctobacterium faecium
909929|909932|order|Selenomonadales
1843491|909929|family|Selenomonadaceae
158846|1843491|genus|Megamonas
437897|158846|species|Megamonas funiformis
91061|1239|class|Bacilli
186826|91061|order|Lactobacillales
33958|186826|family|Lactobacillaceae
1578|33958|genus|Lactobacillus
1579|1578|species|Lactobacillus acidophilus
1596|1578|species|Lactobacillus gasseri
47770|1578|species|Lactobacillus crispatus
1584|1578|species|Lactobacillus delbrueckii
47715|1578|species|Lactobacillus rhamnosus
1590|1578|species|Lactobacillus plantarum
1598|1578|species|Lactobacillus reuteri
1624|1578|species|Lactobacillus salivarius
1613|1578|species|Lactobacillus fermentum
1582|1578|species|Lactobacillus casei
1300|186826|family|Streptococcaceae
1301|1300|genus|Streptococcus
1313|1301|species|Streptococcus pneumoniae
28037|1301|species|Streptococcus mitis
1303|1301|species|Streptococcus oralis
1304|1301|species|Streptococcus salivarius
1305|1301|species|Streptococcus sanguinis
1309|1301|species|Streptococcus mutans
1308|1301|species|Streptococcus thermophilus
1318|1301|species|Streptococcus parasanguinis
1302|1301|species|Streptococcus gordonii
1328|1301|species|Streptococcus anginosus
1357|1300|genus|Lactococcus
1358|1357|species|Lactococcus lactis
81852|186826|family|Enterococcaceae
1350|81852|genus|Enterococcus
1351|1350|species|Enterococcus faecalis
1352|1350|species|Enterococcus faecium
37734|1350|species|Enterococcus casseliflavus
1353|1350|species|Enterococcus gallinarum
186827|186826|family|Aerococcaceae
1375|186827|genus|Aerococcus
1377|1375|species|Aerococcus viridans
1385|91061|order|Bacillales
90964|1385|family|Staphylococcaceae
1279|90964|genus|Staphylococcus
1280|1279|species|Staphylococcus aureus
1282|1279|species|Staphylococcus epidermidis
1283|1279|species|Staphylococcus haemolyticus
1290|1279|species|Staphylococcus hominis
29388|1279|species|Staphylococcus capitis
1292|1279|species|Staphylococcus warneri
29385|1279|species|Staphylococcus saprophyticus
28035|1279|species|Staphylococcus lugdunensis
186817|1385|family|Bacillaceae
1386|186817|genus|Bacillus
1423|1386|species|Bacillus subtilis
1396|1386|species|Bacillus cereus
1402|1386|species|Bacillus licheniformis
1404|1386|species|Bacillus megaterium
1408|1386|species|Bacillus pumilus
186820|1385|family|Listeriaceae
1637|186820|genus|Listeria
1639|1637|species|Listeria monocytogenes
186822|1385|family|Paenibacillaceae
44249|186822|genus|Paenibacillus
1406|44249|species|Paenibacillus polymyxa
526524|1239|class|Erysipelotrichia
526525|526524|order|Erysipelotrichales
128827|526525|family|Erysipelotrichaceae
1573535|128827|genus|Holdemanella
1735|1573535|species|Holdemanella biformis
1505663|128827|genus|Erysipelatoclostridium
1547|1505663|species|Erysipelatoclostridium ramosum
191303|128827|genus|Turicibacter
154288|191303|species|Turicibacter sanguinis
135858|128827|genus|Catenibacterium
100886|135858|species|Catenibacterium mitsuokai
1737404|1239|class|Tissierellia
1737405|1737404|order|Tissierellales
1570339|1737405|family|Peptoniphilaceae
150022|1570339|genus|Finegoldia
1260|150022|species|Finegoldia magna
162289|1570339|genus|Peptoniphilus
54005|162289|species|Peptoniphilus harei
165779|1570339|genus|Anaerococcus
33037|165779|species|Anaerococcus vaginalis
1236|1224|class|Gammaproteobacteria
91347|1236|order|Enterobacterales
543|91347|family|Enterobacteriaceae
561|543|genus|Escherichia
562|561|species|Escherichia coli
564|561|species|Escherichia fergusonii
570|543|genus|Klebsiella
573|570|species|Klebsiella pneumoniae
571|570|species|Klebsiella oxytoca
244366|570|species|Klebsiella variicola
547|543|genus|Enterobacter
550|547|species|Enterobacter cloacae
158836|547|species|Enterobacter hormaechei
61645|547|species|Enterobacter asburiae
544|543|genus|Citrobacter
546|544|species|Citrobacter freundii
545|544|species|Citrobacter koseri
590|543|genus|Salmonella
28901|590|species|Salmonella enterica
620|543|genus|Shigella
623|620|species|Shigella flexneri
624|620|species|Shigella sonnei
160674|543|genus|Raoultella
575|160674|species|Raoultella planticola
54291|160674|species|Raoultella ornithinolytica
1903414|91347|family|Morganellaceae
583|1903414|genus|Proteus
584|583|species|Proteus mirabilis
581|1903414|genus|Morganella
582|581|species|Morganella morganii
586|1903414|genus|Providencia
588|586|species|Providencia stuartii
1903411|91347|family|Yersiniaceae
613|1903411|genus|Serratia
615|613|species|Serratia marcescens
1903412|91347|family|Hafniaceae
568|1903412|genus|Hafnia
569|568|species|Hafnia alvei
1903409|91347|family|Erwiniaceae
53335|1903409|genus|Pantoea
549|53335|species|Pantoea agglomerans
72274|1236|order|Pseudomonadales
135621|72274|family|Pseudomonadaceae
286|135621|genus|Pseudomonas
287|286|species|Pseudomonas aeruginosa
303|286|species|Pseudomonas putida
294|286|species|Pseudomonas fluorescens
316|286|species|Pseudomonas stutzeri
300|286|species|Pseudomonas mendocina
43263|286|species|Pseudomonas alcaligenes
301|286|species|Pseudomonas oleovorans
468|72274|family|Moraxellaceae
469|468|genus|Acinetobacter
470|469|species|Acinetobacter baumannii
40214|469|species|Acinetobacter johnsonii
28090|469|species|Acinetobacter lwoffii
40215|469|species|Acinetobacter junii
29430|469|species|Acinetobacter haemolyticus
202956|469|species|Acinetobacter towneri
475|468|genus|Moraxella
34062|475|species|Moraxella osloensis
480|475|species|Moraxella catarrhalis
135624|1236|order|Aeromonadales
84642|135624|family|Aeromonadaceae
642|84642|genus|Aeromonas
644|642|species|Aeromonas hydrophila
648|642|species|Aeromonas caviae
654|642|species|Aeromonas veronii
651|642|species|Aeromonas media
135614|1236|order|Xanthomonadales
32033|135614|family|Xanthomonadaceae
40323|32033|genus|Stenotrophomonas
40324|40323|species|Stenotrophomonas maltophilia
135625|1236|order|Pasteurellales
712|135625|family|Pasteurellaceae
724|712|genus|Haemophilus
727|724|species|Haemophilus influenzae
729|724|species|Haemophilus parainfluenzae
726|724|species|Haemophilus haemolyticus
118969|1236|order|Legionellales
444|118969|family|Legionellaceae
445|444|genus|Legionella
446|445|species|Legionella pneumophila
28216|1224|class|Betaproteobacteria
80840|28216|order|Burkholderiales
119060|80840|family|Burkholderiaceae
32008|119060|genus|Burkholderia
292|32008|species|Burkholderia cepacia
87883|32008|species|Burkholderia multivorans
48736|119060|genus|Ralstonia
329|48736|species|Ralstonia pickettii
80864|80840|family|Comamonadaceae
283|80864|genus|Comamonas
285|283|species|Comamonas testosteroni
80865|80864|genus|Delftia
80866|80865|species|Delftia acidovorans
506|80840|family|Alcaligenaceae
222|506|genus|Achromobacter
85698|222|species|Achromobacter xylosoxidans
507|506|genus|Alcaligenes
511|507|species|Alcaligenes faecalis
995019|80840|family|Sutterellaceae
40544|995019|genus|Sutterella
40545|40544|species|Sutterella wadsworthensis
577310|995019|genus|Parasutterella
487175|577310|species|Parasutterella excrementihominis
75682|80840|family|Oxalobacteraceae
29580|75682|genus|Janthinobacterium
29581|29580|species|Janthinobacterium lividum
206351|28216|order|Neisseriales
481|206351|family|Neisseriaceae
482|481|genus|Neisseria
28449|482|species|Neisseria subflava
484|482|species|Neisseria flavescens
488|482|species|Neisseria mucosa
538|481|genus|Eikenella
539|538|species|Eikenella corrodens
206389|28216|order|Rhodocyclales
75787|206389|family|Rhodocyclaceae
349|75787|genus|Zoogloea
350|349|species|Zoogloea ramigera
32003|28216|order|Nitrosomonadales
206379|32003|family|Nitrosomonadaceae
914|206379|genus|Nitrosomonas
915|914|species|Nitrosomonas europaea
28211|1224|class|Alphaproteobacteria
356|28211|order|Rhizobiales
82115|356|family|Rhizobiaceae
379|82115|genus|Rhizobium
384|379|species|Rhizobium leguminosarum
357|82115|genus|Agrobacterium
358|357|species|Agrobacterium tumefaciens
118882|356|family|Brucellaceae
528|118882|genus|Ochrobactrum
529|528|species|Ochrobactrum anthropi
119045|356|family|Methylobacteriaceae
407|119045|genus|Methylobacterium
408|407|species|Methylobacterium extorquens
31998|407|species|Methylobacterium radiotolerans
204457|28211|order|Sphingomonadales
41297|204457|family|Sphingomonadaceae
13687|41297|genus|Sphingomonas
13689|13687|species|Sphingomonas paucimobilis
165695|41297|genus|Sphingobium
13690|165695|species|Sphingobium yanoikuyae
204455|28211|order|Rhodobacterales
31989|204455|family|Rhodobacteraceae
265|31989|genus|Paracoccus
266|265|species|Paracoccus denitrificans
204458|28211|order|Caulobacterales
76892|204458|family|Caulobacteraceae
41275|76892|genus|Brevundimonas
293|41275|species|Brevundimonas diminuta
41276|41275|species|Brevundimonas vesicularis
204441|28211|order|Rhodospirillales
433|204441|family|Acetobacteraceae
125216|433|genus|Roseomonas
207340|125216|species|Roseomonas mucosa
29547|1224|class|Epsilonproteobacteria
213849|29547|order|Campylobacterales
72294|213849|family|Campylobacteraceae
194|72294|genus|Campylobacter
197|194|species|Campylobacter jejuni
199|194|species|Campylobacter concisus
28196|72294|genus|Arcobacter
28197|28196|species|Arcobacter butzleri
72293|213849|family|Helicobacteraceae
209|72293|genus|Helicobacter
210|209|species|Helicobacter pylori
28221|1224|class|Deltaproteobacteria
213115|28221|order|Desulfovibrionales
194924|213115|family|Desulfovibrionaceae
872|194924|genus|Desulfovibrio
901|872|species|Desulfovibrio piger
876|872|species|Desulfovibrio desulfuricans
35832|194924|genus|Bilophila
35833|35832|species|Bilophila wadsworthia
1760|201174|class|Actinobacteria
85004|1760|order|Bifidobacteriales
31953|85004|family|Bifidobacteriaceae
1678|31953|genus|Bifidobacterium
216816|1678|species|Bifidobacterium longum
1680|1678|species|Bifidobacterium adolescentis
1681|1678|species|Bifidobacterium bifidum
1685|1678|species|Bifidobacterium breve
28026|1678|species|Bifidobacterium pseudocatenulatum
1686|1678|species|Bifidobacterium catenulatum
1683|1678|species|Bifidobacterium angulatum
1689|1678|species|Bifidobacterium dentium
28025|1678|species|Bifidobacterium animalis
2701|31953|genus|Gardnerella
2702|2701|species|Gardnerella vaginalis
85007|1760|order|Corynebacteriales
1653|85007|family|Corynebacteriaceae
1716|1653|genus|Corynebacterium
38304|1716|species|Corynebacterium tuberculostearicum
38284|1716|species|Corynebacterium accolens
43770|1716|species|Corynebacterium striatum
43765|1716|species|Corynebacterium amycolatum
161879|1716|species|Corynebacterium kroppenstedtii
43769|1716|species|Corynebacterium propinquum
37637|1716|species|Corynebacterium pseudodiphtheriticum
1762|85007|family|Mycobacteriaceae
1763|1762|genus|Mycobacterium
1778|1763|species|Mycobacterium gordonae
1766|1763|species|Mycobacterium fortuitum
1764|1763|species|Mycobacterium avium
85025|85007|family|Nocardiaceae
1827|85025|genus|Rhodococcus
1833|1827|species|Rhodococcus erythropolis
43767|1827|species|Rhodococcus equi
85026|85007|family|Gordoniaceae
2053|85026|genus|Gordonia
36821|2053|species|Gordonia amarae
85029|85007|family|Dietziaceae
37914|85029|genus|Dietzia
37915|37914|species|Dietzia maris
85006|1760|order|Micrococcales
1268|85006|family|Micrococcaceae
1269|1268|genus|Micrococcus
1270|1269|species|Micrococcus luteus
57493|1268|genus|Kocuria
72000|57493|species|Kocuria rhizophila
71999|57493|species|Kocuria palustris
32207|1268|genus|Rothia
43675|32207|species|Rothia mucilaginosa
2047|32207|species|Rothia dentocariosa
85019|85006|family|Brevibacteriaceae
1696|85019|genus|Brevibacterium
33889|1696|species|Brevibacterium casei
85023|85006|family|Microbacteriaceae
33882|85023|genus|Microbacterium
82380|33882|species|Microbacterium oxydans
145357|85006|family|Dermacoccaceae
57495|145357|genus|Dermacoccus
1274|57495|species|Dermacoccus nishinomiyaensis
85009|1760|order|Propionibacteriales
31957|85009|family|Propionibacteriaceae
1912216|31957|genus|Cutibacterium
1747|1912216|species|Cutibacterium acnes
33011|1912216|species|Cutibacterium granulosum
33010|1912216|species|Cutibacterium avidum
2037|1760|order|Actinomycetales
2049|2037|family|Actinomycetaceae
1654|2049|genus|Actinomyces
1660|1654|species|Actinomyces odontolyticus
1655|1654|species|Actinomyces naeslundii
544580|1654|species|Actinomyces oris
85011|1760|order|Streptomycetales
2062|85011|family|Streptomycetaceae
1883|2062|genus|Streptomyces
1911|1883|species|Streptomyces griseus
84998|201174|class|Coriobacteriia
84999|84998|order|Coriobacteriales
84107|84999|family|Coriobacteriaceae
102106|84107|genus|Collinsella
74426|102106|species|Collinsella aerofaciens
1643824|84999|family|Atopobiaceae
1380|1643824|genus|Atopobium
1382|1380|species|Atopobium parvulum
1643822|84998|order|Eggerthellales
1643826|1643822|family|Eggerthellaceae
84111|1643826|genus|Eggerthella
84112|84111|species|Eggerthella lenta
644652|1643826|genus|Gordonibacter
471189|644652|species|Gordonibacter pamelaeae
188787|1297|class|Deinococci
118964|188787|order|Deinococcales
183710|118964|family|Deinococcaceae
1298|183710|genus|Deinococcus
1299|1298|species|Deinococcus radiodurans
292625|200795|class|Anaerolineae
292629|292625|order|Anaerolineales
292628|292629|family|Anaerolineaceae
233189|292628|genus|Anaerolinea
167964|233189|species|Anaerolinea thermophila
203494|74201|class|Verrucomicrobiae
48461|203494|order|Verrucomicrobiales
1647988|48461|family|Akkermansiaceae
239934|1647988|genus|Akkermansia
239935|239934|species|Akkermansia muciniphila
203490|32066|class|Fusobacteriia
203491|203490|order|Fusobacteriales
203492|203491|family|Fusobacteriaceae
848|203492|genus|Fusobacterium
851|848|species|Fusobacterium nucleatum
860|848|species|Fusobacterium periodonticum
856|848|species|Fusobacterium varium
1129771|203491|family|Leptotrichiaceae
32067|1129771|genus|Leptotrichia
40542|32067|species|Leptotrichia buccalis
203692|203691|class|Spirochaetia
136|203692|order|Spirochaetales
137|136|family|Spirochaetaceae
157|137|genus|Treponema
158|157|species|Treponema denticola
167|157|species|Treponema succinifaciens
203693|40117|class|Nitrospiria
189778|203693|order|Nitrospirales
189779|189778|family|Nitrospiraceae
1234|189779|genus|Nitrospira
42253|1234|species|Nitrospira moscoviensis
330214|1234|species|Nitrospira defluvii
28890|2157|phylum|Euryarchaeota
183925|28890|class|Methanobacteria
2158|183925|order|Methanobacteriales
2159|2158|family|Methanobacteriaceae
2172|2159|genus|Methanobrevibacter
2173|2172|species|Methanobrevibacter smithii
2316|2159|genus|Methanosphaera
2317|2316|species|Methanosphaera stadtmanae
224756|28890|class|Methanomicrobia
94695|224756|order|Methanosarcinales
2206|94695|family|Methanosarcinaceae
2207|2206|genus|Methanosarcina
2208|2207|species|Methanosarcina barkeri
143067|94695|family|Methanotrichaceae
2222|143067|genus|Methanothrix
2223|2222|species|Methanothrix soehngenii
33154|2759|no rank|Opisthokonta
4751|33154|kingdom|Fungi
4890|4751|phylum|Ascomycota
4891|4890|class|Saccharomycetes
4892|4891|order|Saccharomycetales
4893|4892|family|Saccharomycetaceae
4930|4893|genus|Saccharomyces
4932|4930|species|Saccharomyces cerevisiae
766764|4892|family|Debaryomycetaceae
5475|766764|genus|Candida
5476|5475|species|Candida albicans
5480|5475|species|Candida parapsilosis
2559587|10239|no rank|Riboviria
675071|2559587|family|Virgaviridae
12234|675071|genus|Tobamovirus
12239|12234|species|Pepper mild mottle virus
11118|2559587|family|Coronaviridae
694002|11118|genus|Betacoronavirus
694009|694002|species|Severe acute respiratory syndrome-related coronavirus
11974|2559587|family|Caliciviridae
142786|11974|genus|Norovirus
11983|142786|species|Norwalk virus
"""


def load_taxonomy():
    """{tax_id: (parent_tax_id or None, rank, name)}, in file order."""
    taxa = {}
    for line in TAXONOMY.strip().splitlines():
        tax_id, parent, rank, name = line.split("|")
        taxa[tax_id] = (parent or None, rank, name)
    return taxa
