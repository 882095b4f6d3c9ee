"""Typical community compositions for the demo dataset's sample types.

Each profile maps a species name (as in `demo_taxonomy.py`) to its typical
relative weight in that environment and, optionally, the chance that it is
present in a given sample (default: 0.95 for common taxa, less for rare
ones). The values are rough, literature-flavoured shapes for a demo — enough
for charts to show what distinguishes stool from saliva or a sink drain from a
bed rail — not reference data. Used only by `make_demo_data.py`.
"""

STOOL = {
    "Bacteroides vulgatus": 8, "Bacteroides uniformis": 5, "Bacteroides thetaiotaomicron": 3,
    "Bacteroides ovatus": 3, "Bacteroides fragilis": 2, "Bacteroides caccae": 1.5,
    "Bacteroides stercoris": (2, 0.6), "Bacteroides eggerthii": (0.5, 0.5),
    "Bacteroides cellulosilyticus": 1, "Bacteroides xylanisolvens": 1, "Bacteroides dorei": 3,
    "Bacteroides intestinalis": 0.5, "Bacteroides finegoldii": 0.5, "Bacteroides plebeius": (1, 0.4),
    "Prevotella copri": (10, 0.4), "Alistipes putredinis": 3, "Alistipes shahii": 1.5,
    "Alistipes onderdonkii": 1.5, "Alistipes finegoldii": 1, "Parabacteroides distasonis": 2,
    "Parabacteroides merdae": 1.5, "Parabacteroides goldsteinii": 0.3, "Barnesiella intestinihominis": 1,
    "Faecalibacterium prausnitzii": 9, "Ruminococcus bromii": (3, 0.8), "Ruminococcus callidus": 0.5,
    "Ruminococcus albus": 0.3, "Ruminococcus flavefaciens": 0.3, "Subdoligranulum variabile": 2,
    "Oscillibacter valericigenes": 0.8, "Gemmiger formicilis": 1.5, "Roseburia intestinalis": 2,
    "Roseburia inulinivorans": 1, "Roseburia hominis": 1.5, "Roseburia faecis": 1, "Blautia obeum": 2,
    "Blautia wexlerae": 2, "Blautia luti": 1, "Blautia producta": 0.3, "Coprococcus comes": 1.5,
    "Coprococcus eutactus": 1, "Coprococcus catus": 0.8, "Dorea longicatena": 1.2,
    "Dorea formicigenerans": 1, "Anaerostipes hadrus": 1.5, "Anaerostipes caccae": 0.5,
    "Agathobacter rectalis": 5, "Fusicatenibacter saccharivorans": 1, "Lachnospira pectinoschiza": 0.5,
    "Clostridium perfringens": 0.05, "Clostridium butyricum": 0.1, "Clostridium sporogenes": 0.05,
    "Clostridium paraputrificum": 0.1, "Clostridioides difficile": (0.05, 0.3),
    "Intestinibacter bartlettii": 0.3, "Eubacterium siraeum": 1, "Eubacterium ventriosum": 0.5,
    "Eubacterium limosum": 0.1, "Christensenella minuta": (0.5, 0.6), "Veillonella parvula": 0.3,
    "Veillonella atypica": 0.2, "Veillonella dispar": 0.2, "Megasphaera elsdenii": 0.3,
    "Dialister invisus": 1, "Acidaminococcus intestini": 0.3, "Phascolarctobacterium faecium": (1.5, 0.7),
    "Megamonas funiformis": (0.3, 0.3), "Lactobacillus rhamnosus": 0.1, "Lactobacillus plantarum": 0.1,
    "Lactobacillus reuteri": 0.05, "Lactobacillus salivarius": 0.1, "Lactobacillus acidophilus": 0.05,
    "Lactobacillus casei": 0.05, "Lactobacillus gasseri": 0.05, "Streptococcus salivarius": 0.5,
    "Streptococcus thermophilus": 0.3, "Streptococcus parasanguinis": 0.2, "Lactococcus lactis": 0.1,
    "Enterococcus faecalis": 0.1, "Enterococcus faecium": 0.1, "Holdemanella biformis": 0.5,
    "Erysipelatoclostridium ramosum": 0.3, "Turicibacter sanguinis": 0.2, "Catenibacterium mitsuokai": 0.3,
    "Escherichia coli": 1, "Escherichia fergusonii": 0.02, "Klebsiella pneumoniae": 0.1,
    "Klebsiella oxytoca": 0.05, "Enterobacter cloacae": 0.05, "Citrobacter freundii": 0.05,
    "Shigella flexneri": 0.02, "Shigella sonnei": 0.02, "Hafnia alvei": 0.03,
    "Sutterella wadsworthensis": 1, "Parasutterella excrementihominis": 1, "Desulfovibrio piger": 0.3,
    "Bilophila wadsworthia": 0.5, "Bifidobacterium longum": 3, "Bifidobacterium adolescentis": 2.5,
    "Bifidobacterium bifidum": 0.8, "Bifidobacterium breve": 0.5, "Bifidobacterium pseudocatenulatum": 1,
    "Bifidobacterium catenulatum": 0.3, "Bifidobacterium angulatum": 0.3, "Bifidobacterium animalis": 0.3,
    "Collinsella aerofaciens": 1.5, "Eggerthella lenta": 0.2, "Gordonibacter pamelaeae": 0.1,
    "Akkermansia muciniphila": (3, 0.6), "Methanobrevibacter smithii": (0.8, 0.5),
    "Methanosphaera stadtmanae": 0.05, "Fusobacterium varium": 0.05, "Saccharomyces cerevisiae": 0.01,
    "Candida albicans": 0.01,
}

SALIVA = {
    "Streptococcus mitis": 8, "Streptococcus oralis": 4, "Streptococcus salivarius": 6,
    "Streptococcus sanguinis": 3, "Streptococcus parasanguinis": 4, "Streptococcus gordonii": 1.5,
    "Streptococcus mutans": 0.3, "Streptococcus anginosus": 0.5, "Streptococcus pneumoniae": 0.2,
    "Veillonella parvula": 5, "Veillonella atypica": 4, "Veillonella dispar": 3,
    "Prevotella melaninogenica": 6, "Prevotella histicola": 3, "Prevotella intermedia": 0.5,
    "Prevotella denticola": 1, "Prevotella buccae": 0.5, "Neisseria subflava": 5,
    "Neisseria flavescens": 2, "Neisseria mucosa": 1.5, "Haemophilus parainfluenzae": 6,
    "Haemophilus haemolyticus": 0.5, "Haemophilus influenzae": 0.3, "Rothia mucilaginosa": 4,
    "Rothia dentocariosa": 1, "Porphyromonas endodontalis": 1, "Porphyromonas gingivalis": (0.3, 0.5),
    "Fusobacterium nucleatum": 3, "Fusobacterium periodonticum": 2, "Leptotrichia buccalis": 1,
    "Capnocytophaga gingivalis": 0.5, "Capnocytophaga ochracea": 0.5, "Actinomyces odontolyticus": 1.5,
    "Actinomyces naeslundii": 0.5, "Actinomyces oris": 0.8, "Eikenella corrodens": 0.3,
    "Campylobacter concisus": 0.5, "Treponema denticola": 0.3, "Atopobium parvulum": 1,
    "Lactobacillus fermentum": 0.05, "Lactobacillus salivarius": 0.1, "Moraxella catarrhalis": 0.1,
    "Staphylococcus epidermidis": 0.05, "Cutibacterium acnes": 0.05, "Candida albicans": 0.05,
    "Bifidobacterium dentium": 0.1, "Megasphaera elsdenii": 0.1, "Dialister invisus": 0.2,
    "Corynebacterium propinquum": 0.1, "Corynebacterium pseudodiphtheriticum": 0.1,
}

WASTEWATER = {
    "Arcobacter butzleri": 8, "Acinetobacter johnsonii": 4, "Acinetobacter lwoffii": 2,
    "Acinetobacter towneri": 3, "Acinetobacter baumannii": 0.5, "Acinetobacter junii": 0.5,
    "Aeromonas media": 3, "Aeromonas caviae": 2, "Aeromonas hydrophila": 1, "Aeromonas veronii": 1,
    "Pseudomonas putida": 1, "Pseudomonas fluorescens": 0.5, "Pseudomonas stutzeri": 0.5,
    "Pseudomonas aeruginosa": 0.3, "Pseudomonas alcaligenes": 0.3, "Comamonas testosteroni": 1,
    "Delftia acidovorans": 0.5, "Zoogloea ramigera": 1, "Nitrosomonas europaea": 0.3,
    "Nitrospira defluvii": 0.3, "Nitrospira moscoviensis": 0.2, "Gordonia amarae": 0.5,
    "Dietzia maris": 0.3, "Rhodococcus erythropolis": 0.3, "Mycobacterium fortuitum": 0.2,
    "Klebsiella pneumoniae": 0.8, "Klebsiella variicola": 0.3, "Escherichia coli": 1.5,
    "Enterobacter cloacae": 0.5, "Enterobacter asburiae": 0.3, "Citrobacter freundii": 0.4,
    "Raoultella ornithinolytica": 0.2, "Streptococcus salivarius": 0.5, "Enterococcus faecium": 0.5,
    "Enterococcus faecalis": 0.3, "Lactococcus lactis": 1, "Methanosarcina barkeri": 0.3,
    "Methanothrix soehngenii": 0.5, "Methanobrevibacter smithii": 0.5, "Anaerolinea thermophila": 0.3,
    "Desulfovibrio desulfuricans": 0.5, "Bilophila wadsworthia": 0.3, "Sphingomonas paucimobilis": 0.2,
    "Paracoccus denitrificans": 0.3, "Bacteroides vulgatus": 2, "Bacteroides uniformis": 1,
    "Bacteroides fragilis": 0.8, "Bacteroides thetaiotaomicron": 0.8, "Bacteroides dorei": 0.8,
    "Prevotella copri": 1.5, "Alistipes putredinis": 0.5, "Parabacteroides distasonis": 0.6,
    "Faecalibacterium prausnitzii": 1.5, "Agathobacter rectalis": 0.8, "Blautia obeum": 0.6,
    "Blautia wexlerae": 0.5, "Ruminococcus bromii": 0.5, "Bifidobacterium adolescentis": 0.8,
    "Bifidobacterium longum": 0.6, "Collinsella aerofaciens": 0.3, "Sutterella wadsworthensis": 0.3,
    "Clostridium perfringens": 0.3, "Flavobacterium johnsoniae": 0.5, "Chryseobacterium gleum": 0.3,
    "Janthinobacterium lividum": 0.2, "Brevundimonas diminuta": 0.2, "Ochrobactrum anthropi": 0.2,
    "Stenotrophomonas maltophilia": 0.4, "Legionella pneumophila": 0.05, "Treponema succinifaciens": 0.1,
    "Pepper mild mottle virus": (1.5, 1.0), "Norwalk virus": (0.4, 0.7),
    "Severe acute respiratory syndrome-related coronavirus": (0.1, 0.6),
}

SINK_DRAIN = {
    "Pseudomonas aeruginosa": 6, "Pseudomonas putida": 2, "Pseudomonas oleovorans": 0.5,
    "Pseudomonas mendocina": 0.5, "Stenotrophomonas maltophilia": 5, "Klebsiella pneumoniae": 3,
    "Klebsiella oxytoca": 2, "Serratia marcescens": 3, "Enterobacter cloacae": 3,
    "Enterobacter hormaechei": 2, "Acinetobacter baumannii": 1.5, "Acinetobacter johnsonii": 2,
    "Acinetobacter lwoffii": 1, "Achromobacter xylosoxidans": 1.5, "Delftia acidovorans": 1.5,
    "Sphingomonas paucimobilis": 1, "Sphingobium yanoikuyae": 0.5, "Brevundimonas diminuta": 1,
    "Brevundimonas vesicularis": 0.5, "Chryseobacterium gleum": 1, "Elizabethkingia meningoseptica": 0.5,
    "Citrobacter freundii": 1, "Raoultella planticola": 1, "Burkholderia cepacia": 0.5,
    "Burkholderia multivorans": 0.3, "Ralstonia pickettii": 1, "Methylobacterium extorquens": 0.5,
    "Legionella pneumophila": (0.1, 0.5), "Mycobacterium gordonae": 0.3, "Mycobacterium fortuitum": 0.3,
    "Mycobacterium avium": (0.1, 0.4), "Candida parapsilosis": 0.3, "Enterococcus faecium": 0.5,
    "Escherichia coli": 0.5, "Comamonas testosteroni": 0.5, "Alcaligenes faecalis": 0.3,
    "Pantoea agglomerans": 0.3, "Proteus mirabilis": 0.2, "Morganella morganii": 0.2,
    "Providencia stuartii": 0.1, "Staphylococcus epidermidis": 0.3, "Cutibacterium acnes": 0.3,
    "Streptococcus mitis": 0.2, "Rothia mucilaginosa": 0.1, "Flavobacterium johnsoniae": 0.3,
    "Agrobacterium tumefaciens": 0.2, "Rhizobium leguminosarum": 0.1, "Aeromonas hydrophila": 0.2,
    "Janthinobacterium lividum": 0.2,
}

SKIN_SURFACE = {
    "Cutibacterium acnes": 10, "Cutibacterium granulosum": 0.5, "Cutibacterium avidum": 0.5,
    "Staphylococcus epidermidis": 8, "Staphylococcus hominis": 3, "Staphylococcus capitis": 2,
    "Staphylococcus haemolyticus": 1.5, "Staphylococcus warneri": 1, "Staphylococcus aureus": (1, 0.6),
    "Staphylococcus lugdunensis": 0.3, "Staphylococcus saprophyticus": 0.3,
    "Corynebacterium tuberculostearicum": 3, "Corynebacterium accolens": 1.5,
    "Corynebacterium amycolatum": 1, "Corynebacterium striatum": 1, "Corynebacterium kroppenstedtii": 0.5,
    "Micrococcus luteus": 4, "Kocuria rhizophila": 1.5, "Kocuria palustris": 0.5,
    "Dermacoccus nishinomiyaensis": 1, "Brevibacterium casei": 0.5, "Microbacterium oxydans": 0.5,
    "Streptococcus mitis": 1, "Streptococcus oralis": 0.3, "Moraxella osloensis": 3,
    "Acinetobacter johnsonii": 1.5, "Acinetobacter lwoffii": 1, "Acinetobacter junii": 0.5,
    "Deinococcus radiodurans": 0.5, "Methylobacterium radiotolerans": 1, "Sphingomonas paucimobilis": 1,
    "Roseomonas mucosa": 0.5, "Paracoccus denitrificans": 0.5, "Bacillus cereus": 0.5,
    "Bacillus subtilis": 0.3, "Bacillus pumilus": 0.3, "Bacillus megaterium": 0.2,
    "Bacillus licheniformis": 0.2, "Paenibacillus polymyxa": 0.1, "Finegoldia magna": 0.5,
    "Peptoniphilus harei": 0.3, "Anaerococcus vaginalis": 0.3, "Enterococcus faecalis": 0.3,
    "Rothia dentocariosa": 0.3, "Escherichia coli": 0.2, "Pseudomonas fluorescens": 0.3,
    "Stenotrophomonas maltophilia": 0.3, "Streptomyces griseus": 0.1, "Aerococcus viridans": 0.2,
}

PROFILES = {
    "stool": STOOL,
    "saliva": SALIVA,
    "wastewater": WASTEWATER,
    "sink_drain": SINK_DRAIN,
    "skin_surface": SKIN_SURFACE,
}

# Multipliers applied to every species under a taxon, by sample condition.
ANTIBIOTICS = {
    "Bacteroides": 0.4, "Faecalibacterium": 0.15, "Roseburia": 0.2, "Bifidobacterium": 0.2,
    "Agathobacter": 0.2, "Lachnospiraceae": 0.5, "Ruminococcaceae": 0.4, "Enterobacteriaceae": 6,
    "Enterococcus": 15, "Clostridioides": 6, "Veillonella": 3, "Lactobacillus": 3,
}
IBD = {
    "Faecalibacterium": 0.2, "Roseburia": 0.4, "Ruminococcus": 0.4, "Akkermansia": 0.3,
    "Escherichia": 6, "Fusobacterium": 8, "Veillonella": 3, "Streptococcus": 2, "Bacteroides fragilis": 3,
}
AFTER_TERMINAL_CLEAN = {"Bacillus": 6, "Paenibacillus": 4, "Deinococcus": 4, "Methylobacterium": 3, "Staphylococcus": 0.5}
