"""Word lists and weights behind the sandbox's synthetic people and companies.

Everything here is plain data so the generator (`dataset.py`), the parser (`query_parser.py`) and
the search engine agree on one spelling of every value. Weights are relative, not percentages; they
are tuned so that common demo queries (e.g. VP of Engineering at Series B SaaS in New York) find a
few hundred people in the default 100,000-person data set.
"""

from __future__ import annotations

from datetime import date

# A fixed "today" keeps generated dates deterministic whatever day the sandbox runs on.
REFERENCE_DATE = date(2025, 9, 30)
REFERENCE_YEAR = REFERENCE_DATE.year

# --- people -----------------------------------------------------------------------------------

FIRST_NAMES: tuple[str, ...] = (
    # English-speaking
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ryan", "Rebecca", "Jacob", "Laura",
    "Gary", "Sharon", "Nicholas", "Cynthia", "Eric", "Kathleen", "Jonathan", "Amy", "Justin",
    "Shirley", "Scott", "Angela", "Brandon", "Helen", "Benjamin", "Anna", "Samuel", "Brenda",
    "Gregory", "Pamela", "Alexander", "Nicole", "Patrick", "Emma", "Jack", "Samantha", "Dennis",
    "Katherine", "Tyler", "Christine", "Aaron", "Rachel", "Henry", "Olivia", "Zachary", "Hannah",
    "Nathan", "Megan", "Ethan", "Lauren", "Logan", "Madison", "Caleb", "Chloe", "Owen", "Grace",
    "Liam", "Ava", "Noah", "Sophia", "Lucas", "Isabella", "Mason", "Abigail", "Harper", "Ella",
    "Connor", "Avery", "Dylan", "Zoe", "Evan", "Claire", "Colin", "Natalie", "Ian", "Audrey",
    # Spanish / Portuguese
    "Maria", "José", "Juan", "Carmen", "Luis", "Ana", "Carlos", "Lucía", "Miguel", "Sofía",
    "Javier", "Valentina", "Diego", "Camila", "Alejandro", "Isabel", "Fernando", "Gabriela",
    "Pablo", "Daniela", "Ricardo", "Mariana", "Andrés", "Paula", "Sergio", "Elena", "Rafael",
    "Beatriz", "João", "Fernanda", "Thiago", "Larissa", "Mateus", "Juliana", "Rodrigo", "Renata",
    # French / German / Dutch / Italian / Nordic
    "Pierre", "Camille", "Louis", "Chloé", "Antoine", "Léa", "Julien", "Manon", "Mathieu", "Inès",
    "Lukas", "Anna-Lena", "Felix", "Lena", "Maximilian", "Greta", "Jonas", "Mia", "Leon", "Marie",
    "Sven", "Ingrid", "Lars", "Astrid", "Erik", "Freja", "Nils", "Sigrid", "Anders", "Maja",
    "Daan", "Sanne", "Bram", "Lotte", "Luca", "Giulia", "Marco", "Francesca", "Alessandro",
    "Chiara", "Matteo", "Martina", "Giovanni", "Sara",
    # Eastern European
    "Aleksander", "Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Magdalena", "Dmitri", "Olga",
    "Ivan", "Natalia", "Andrei", "Irina", "Mikhail", "Tatiana", "Oleksandr", "Yulia", "Nikola",
    "Milena", "Stefan", "Petra",
    # South Asian
    "Aarav", "Priya", "Rohan", "Ananya", "Arjun", "Divya", "Vikram", "Kavya", "Rahul", "Neha",
    "Sanjay", "Pooja", "Aditya", "Shreya", "Karthik", "Lakshmi", "Raj", "Meera", "Amit", "Sneha",
    "Vivek", "Nisha", "Suresh", "Deepika", "Imran", "Ayesha", "Farhan", "Sana",
    # East / South-East Asian
    "Wei", "Mei", "Jun", "Xiao", "Hao", "Li", "Yan", "Chen", "Hiroshi", "Yuki", "Takeshi", "Aiko",
    "Kenji", "Sakura", "Haruto", "Yui", "Min-jun", "Ji-woo", "Seo-yeon", "Hyun", "Jae", "Soo-ah",
    "Minh", "Linh", "Duc", "Thao", "Anh", "Quang", "Arif", "Siti", "Putri", "Budi",
    # Middle Eastern / North African
    "Omar", "Fatima", "Ahmed", "Layla", "Youssef", "Noor", "Hassan", "Mariam", "Khalid", "Yasmin",
    "Karim", "Rania", "Tariq", "Leila", "Amir", "Dalia", "Noa", "Yael", "Eitan", "Tamar", "Avi",
    "Shira", "Ori", "Maya",
    # African
    "Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Emeka", "Chioma", "Kwame", "Ama", "Kofi", "Abena",
    "Tendai", "Thandiwe", "Sipho", "Zanele", "Abebe", "Selam", "Juma", "Wanjiru", "Moussa", "Aminata",
)

LAST_NAMES: tuple[str, ...] = (
    # English-speaking
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green",
    "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell",
    "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox",
    "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders",
    "Myers", "Long", "Ross", "Foster", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Fisher",
    "Henderson", "Coleman", "Simmons", "Patterson", "Jordan", "Reynolds", "Hamilton", "Graham",
    "Wallace", "Woods", "Cole", "West", "Owens", "Marshall", "Ellis", "Harrison", "Gibson",
    "McDonald", "Kennedy", "Wells", "Hayes", "Murray", "Ford", "Stone", "Hunt", "Black", "Palmer",
    "O'Brien", "O'Connor", "Byrne", "Walsh", "Doyle", "Quinn", "Gallagher", "Fitzgerald",
    # Spanish / Portuguese
    "Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez",
    "Ramirez", "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Morales", "Cruz", "Ortiz",
    "Gutierrez", "Chavez", "Ramos", "Ruiz", "Alvarez", "Mendoza", "Castillo", "Jimenez", "Vargas",
    "Romero", "Herrera", "Medina", "Aguilar", "Vega", "Castro", "Navarro", "Silva", "Santos",
    "Oliveira", "Souza", "Pereira", "Costa", "Carvalho", "Almeida", "Ferreira", "Ribeiro",
    # French / German / Dutch / Italian / Nordic
    "Dubois", "Moreau", "Laurent", "Lefebvre", "Girard", "Fontaine", "Rousseau", "Mercier",
    "Bonnet", "Lambert", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
    "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Zimmermann",
    "de Vries", "van Dijk", "Jansen", "Bakker", "Visser", "Smit", "de Jong", "Mulder", "Rossi",
    "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Conti", "Johansson", "Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsen",
    "Hansen", "Nielsen", "Jensen", "Pedersen", "Lindqvist", "Berg", "Virtanen", "Korhonen",
    # Eastern European
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Ivanov", "Petrov", "Smirnov",
    "Volkov", "Sokolov", "Kuznetsov", "Popescu", "Ionescu", "Novák", "Horváth", "Kovač",
    "Shevchenko", "Kovalenko", "Bondarenko", "Petrović", "Jovanović", "Dimitrov",
    # South Asian
    "Patel", "Sharma", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Menon", "Rao", "Joshi",
    "Mehta", "Shah", "Desai", "Kapoor", "Malhotra", "Chopra", "Agarwal", "Banerjee", "Chatterjee",
    "Mukherjee", "Bhat", "Pillai", "Verma", "Khan", "Hussain", "Qureshi", "Siddiqui", "Chowdhury",
    "Rahman",
    # East / South-East Asian
    "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu",
    "Hu", "Guo", "Lin", "He", "Gao", "Luo", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito",
    "Yamamoto", "Nakamura", "Kobayashi", "Sato", "Kato", "Kim", "Park", "Choi", "Jung", "Kang",
    "Cho", "Yoon", "Jang", "Lim", "Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang",
    "Santoso", "Wijaya", "Tan", "Ong", "Goh", "Teo", "Dela Cruz", "Bautista",
    # Middle Eastern / North African
    "Haddad", "Khoury", "Nasser", "Mansour", "Saleh", "Hamdan", "Abdullah", "Farouk", "El-Amin",
    "Benali", "Rahimi", "Hosseini", "Karimi", "Tehrani", "Yilmaz", "Kaya", "Demir", "Şahin",
    "Öztürk", "Cohen", "Levi", "Mizrahi", "Peretz", "Friedman", "Katz", "Goldberg", "Shapiro",
    "Ben-David",
    # African
    "Okafor", "Adeyemi", "Okonkwo", "Eze", "Balogun", "Mensah", "Asante", "Owusu", "Boateng",
    "Mokoena", "Dlamini", "Nkosi", "Ndlovu", "Moyo", "Kamau", "Otieno", "Mwangi", "Njoroge",
    "Tesfaye", "Bekele", "Diallo", "Traoré", "Keita", "Mbeki",
)

SENIORITIES: tuple[str, ...] = (
    "CXO", "VP", "Director", "Head", "Owner / Founder", "Partner", "Manager", "Senior", "Entry",
)

# Seniority mix per company-size group: tiny startups are founder-heavy, mid-size companies carry
# the VP/Head layer, large companies are mostly individual contributors and managers.
SENIORITY_WEIGHTS_BY_SIZE_GROUP: dict[str, tuple[float, ...]] = {
    #            CXO  VP  Dir  Head Own  Part Mgr  Sen  Entry
    "tiny":  (7, 5, 3, 5, 14, 1, 10, 25, 30),
    "mid":   (3, 14, 9, 7, 2, 1, 14, 27, 24),
    "large": (1, 4, 9, 4, 0.3, 2, 18, 30, 32),
}

JOB_FUNCTIONS: tuple[str, ...] = (
    "Engineering", "Sales", "Marketing", "Product", "Design", "Operations", "Finance", "HR/People",
    "Data", "Customer Success", "Legal", "Research", "General Management",
)

# Function mix for rank-and-file staff; tech companies employ more engineers.
FUNCTION_WEIGHTS_TECH: tuple[float, ...] = (46, 12, 7, 8, 4, 5, 3, 3, 7, 5, 1, 2, 1)
FUNCTION_WEIGHTS_OTHER: tuple[float, ...] = (14, 18, 11, 5, 4, 16, 8, 6, 5, 7, 3, 2, 1)
# Founders and partners mostly run the business; the C-suite spreads across functions.
FUNCTION_WEIGHTS_FOUNDER: tuple[float, ...] = (22, 3, 2, 8, 1, 2, 1, 0, 2, 0, 0, 2, 57)
FUNCTION_WEIGHTS_PARTNER: tuple[float, ...] = (4, 8, 3, 2, 1, 8, 25, 3, 2, 2, 22, 3, 17)
FUNCTION_WEIGHTS_CXO: tuple[float, ...] = (20, 9, 9, 9, 2, 10, 10, 5, 4, 3, 3, 1, 15)

# How a function is spelled inside a title ("VP of Engineering", "Head of Growth").
FUNCTION_TITLE_NAMES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Engineering", "Platform Engineering", "Infrastructure"),
    "Sales": ("Sales", "Revenue", "Business Development"),
    "Marketing": ("Marketing", "Growth", "Demand Generation", "Brand"),
    "Product": ("Product", "Product Management"),
    "Design": ("Design", "Product Design", "User Experience"),
    "Operations": ("Operations", "Business Operations", "Strategy & Operations"),
    "Finance": ("Finance", "Financial Planning & Analysis", "Accounting"),
    "HR/People": ("People", "Talent", "Human Resources"),
    "Data": ("Data", "Data Science", "Analytics"),
    "Customer Success": ("Customer Success", "Customer Experience", "Support"),
    "Legal": ("Legal", "Compliance"),
    "Research": ("Research", "Applied Research"),
    "General Management": ("Strategy", "Corporate Development"),
}

CXO_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("CTO", "Chief Technology Officer"),
    "Sales": ("Chief Revenue Officer", "CRO"),
    "Marketing": ("CMO", "Chief Marketing Officer", "Chief Growth Officer"),
    "Product": ("Chief Product Officer", "CPO"),
    "Design": ("Chief Design Officer",),
    "Operations": ("COO", "Chief Operating Officer"),
    "Finance": ("CFO", "Chief Financial Officer"),
    "HR/People": ("Chief People Officer", "CHRO"),
    "Data": ("Chief Data Officer", "Chief Analytics Officer"),
    "Customer Success": ("Chief Customer Officer",),
    "Legal": ("General Counsel", "Chief Legal Officer"),
    "Research": ("Chief Scientist", "Chief Science Officer"),
    "General Management": ("CEO", "Chief Executive Officer", "President & CEO"),
}

FOUNDER_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Co-Founder & CTO", "Technical Co-Founder"),
    "Product": ("Co-Founder & Chief Product Officer", "Co-Founder, Product"),
    "General Management": ("Founder & CEO", "Co-Founder & CEO", "Founder", "Owner"),
}
FOUNDER_FALLBACK_TITLES: tuple[str, ...] = ("Co-Founder", "Founder")

PARTNER_TITLES: tuple[str, ...] = ("Partner", "Managing Partner", "Senior Partner", "Operating Partner")

# Individual-contributor titles per function; "Senior" adds a prefix or a staff level.
IC_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Software Engineer", "Backend Engineer", "Frontend Engineer", "Full Stack Engineer",
                    "DevOps Engineer", "Site Reliability Engineer", "Mobile Engineer"),
    "Sales": ("Account Executive", "Sales Development Representative", "Business Development Representative"),
    "Marketing": ("Marketing Specialist", "Growth Marketer", "Content Marketer", "Product Marketing Associate"),
    "Product": ("Associate Product Manager", "Product Analyst"),
    "Design": ("Product Designer", "UX Designer", "Visual Designer", "UX Researcher"),
    "Operations": ("Operations Associate", "Business Operations Analyst", "Program Coordinator"),
    "Finance": ("Financial Analyst", "Accountant", "FP&A Analyst"),
    "HR/People": ("Recruiter", "Technical Recruiter", "People Operations Specialist", "HR Generalist"),
    "Data": ("Data Analyst", "Data Scientist", "Data Engineer", "Machine Learning Engineer"),
    "Customer Success": ("Customer Success Manager", "Support Specialist", "Implementation Specialist"),
    "Legal": ("Legal Counsel", "Paralegal", "Compliance Analyst"),
    "Research": ("Research Scientist", "Research Engineer", "Research Associate"),
    "General Management": ("Chief of Staff", "Strategy Associate"),
}
SENIOR_EXTRA_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Staff Software Engineer", "Principal Engineer", "Lead Software Engineer"),
    "Data": ("Staff Data Scientist", "Lead Data Engineer"),
    "Design": ("Lead Product Designer", "Principal Designer"),
}
MANAGER_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Engineering Manager", "Software Engineering Manager"),
    "Sales": ("Sales Manager", "Regional Sales Manager", "Account Manager"),
    "Marketing": ("Marketing Manager", "Growth Manager", "Product Marketing Manager"),
    "Product": ("Product Manager", "Group Product Manager"),
    "Design": ("Design Manager",),
    "Operations": ("Operations Manager", "Program Manager"),
    "Finance": ("Finance Manager", "Controller"),
    "HR/People": ("HR Manager", "Talent Acquisition Manager"),
    "Data": ("Data Science Manager", "Analytics Manager"),
    "Customer Success": ("Customer Success Team Lead", "Support Manager"),
    "Legal": ("Legal Manager", "Compliance Manager"),
    "Research": ("Research Manager",),
    "General Management": ("General Manager", "Office Manager"),
}

# --- places -----------------------------------------------------------------------------------

# (city, state or region, country, ISO-3166 alpha-2, weight as a company headquarters)
LOCATIONS: tuple[tuple[str, str, str, str, float], ...] = (
    ("New York", "New York", "United States", "US", 50),
    ("San Francisco", "California", "United States", "US", 18),
    ("Oakland", "California", "United States", "US", 1.5),
    ("San Jose", "California", "United States", "US", 2),
    ("Palo Alto", "California", "United States", "US", 2.5),
    ("Mountain View", "California", "United States", "US", 1.5),
    ("Los Angeles", "California", "United States", "US", 5),
    ("San Diego", "California", "United States", "US", 1.5),
    ("Austin", "Texas", "United States", "US", 5),
    ("Dallas", "Texas", "United States", "US", 2),
    ("Houston", "Texas", "United States", "US", 1.5),
    ("Boston", "Massachusetts", "United States", "US", 6),
    ("Seattle", "Washington", "United States", "US", 5),
    ("Chicago", "Illinois", "United States", "US", 4),
    ("Denver", "Colorado", "United States", "US", 2.5),
    ("Miami", "Florida", "United States", "US", 2.5),
    ("Atlanta", "Georgia", "United States", "US", 2),
    ("Washington", "District of Columbia", "United States", "US", 2),
    ("Philadelphia", "Pennsylvania", "United States", "US", 1.5),
    ("Salt Lake City", "Utah", "United States", "US", 1.2),
    ("Raleigh", "North Carolina", "United States", "US", 1),
    ("Nashville", "Tennessee", "United States", "US", 1),
    ("Minneapolis", "Minnesota", "United States", "US", 1),
    ("Portland", "Oregon", "United States", "US", 1),
    ("Pittsburgh", "Pennsylvania", "United States", "US", 0.8),
    ("London", "England", "United Kingdom", "GB", 8),
    ("Manchester", "England", "United Kingdom", "GB", 1),
    ("Dublin", "Leinster", "Ireland", "IE", 1.5),
    ("Berlin", "Berlin", "Germany", "DE", 3.5),
    ("Munich", "Bavaria", "Germany", "DE", 1.5),
    ("Paris", "Île-de-France", "France", "FR", 3),
    ("Amsterdam", "North Holland", "Netherlands", "NL", 2),
    ("Stockholm", "Stockholm County", "Sweden", "SE", 1.2),
    ("Copenhagen", "Capital Region", "Denmark", "DK", 0.8),
    ("Zurich", "Zurich", "Switzerland", "CH", 1),
    ("Madrid", "Community of Madrid", "Spain", "ES", 1),
    ("Barcelona", "Catalonia", "Spain", "ES", 1),
    ("Lisbon", "Lisbon", "Portugal", "PT", 0.8),
    ("Toronto", "Ontario", "Canada", "CA", 3.5),
    ("Vancouver", "British Columbia", "Canada", "CA", 1.2),
    ("Montreal", "Quebec", "Canada", "CA", 1),
    ("Tel Aviv", "Tel Aviv District", "Israel", "IL", 2.5),
    ("Bangalore", "Karnataka", "India", "IN", 3),
    ("Mumbai", "Maharashtra", "India", "IN", 1.2),
    ("Singapore", "", "Singapore", "SG", 2),
    ("Sydney", "New South Wales", "Australia", "AU", 2),
    ("Melbourne", "Victoria", "Australia", "AU", 1),
    ("Tokyo", "Tokyo", "Japan", "JP", 1.2),
    ("São Paulo", "São Paulo", "Brazil", "BR", 1.2),
    ("Mexico City", "Mexico City", "Mexico", "MX", 0.8),
)

# Share of a company's people who live in its headquarters city (the rest are spread out).
SHARE_AT_HEADQUARTERS = 0.88

# --- companies --------------------------------------------------------------------------------

INDUSTRIES: tuple[str, ...] = (
    "SaaS/Software", "Fintech", "Healthcare", "E-commerce", "AI/Machine Learning", "Cybersecurity",
    "Biotech", "Logistics", "Media", "Education", "Real Estate", "Manufacturing", "Consulting",
    "Gaming", "Climate/Energy",
)
INDUSTRY_WEIGHTS: tuple[float, ...] = (44, 10, 7, 7, 9, 5, 4, 4, 4, 4, 3, 4, 4, 3, 3)
TECH_INDUSTRIES: frozenset[str] = frozenset(
    {"SaaS/Software", "Fintech", "AI/Machine Learning", "Cybersecurity", "Gaming", "E-commerce"}
)

SIZE_RANGES: tuple[tuple[str, int, int], ...] = (
    ("1-10", 1, 10),
    ("11-50", 11, 50),
    ("51-200", 51, 200),
    ("201-500", 201, 500),
    ("501-1000", 501, 1000),
    ("1001-5000", 1001, 5000),
    ("5001-10000", 5001, 10000),
    ("10001+", 10001, 250000),
)
SIZE_GROUP_BY_RANGE: tuple[str, ...] = ("tiny", "tiny", "mid", "mid", "mid", "large", "large", "large")

FUNDING_STAGES: tuple[str, ...] = (
    "Pre-seed", "Seed", "Series A", "Series B", "Series C", "Series D", "Series E+",
    "Private Equity", "IPO/Public", "Bootstrapped",
)
# Venture-style industries raise more rounds; others skew to bootstrapped and private equity.
STAGE_WEIGHTS_TECH: tuple[float, ...] = (5, 14, 18, 34, 10, 5, 3, 4, 6, 9)
STAGE_WEIGHTS_OTHER: tuple[float, ...] = (4, 10, 13, 16, 7, 3, 2, 10, 9, 26)

# Per stage: size-range weights (index into SIZE_RANGES), company age in years (min, max),
# amount raised in millions of USD (min, max; None = nothing raised).
STAGE_PROFILES: dict[str, tuple[tuple[float, ...], tuple[int, int], tuple[float, float] | None]] = {
    "Pre-seed": ((60, 38, 2, 0, 0, 0, 0, 0), (0, 3), (0.1, 1.5)),
    "Seed": ((35, 55, 10, 0, 0, 0, 0, 0), (0, 5), (0.5, 5)),
    "Series A": ((5, 50, 42, 3, 0, 0, 0, 0), (1, 8), (5, 22)),
    "Series B": ((0, 12, 58, 27, 3, 0, 0, 0), (2, 10), (15, 60)),
    "Series C": ((0, 0, 25, 45, 25, 5, 0, 0), (3, 14), (40, 150)),
    "Series D": ((0, 0, 5, 30, 40, 25, 0, 0), (4, 16), (80, 300)),
    "Series E+": ((0, 0, 0, 10, 30, 45, 12, 3), (5, 20), (150, 900)),
    "Private Equity": ((0, 5, 20, 25, 20, 20, 6, 4), (8, 60), (20, 1200)),
    "IPO/Public": ((0, 0, 0, 3, 10, 40, 22, 25), (8, 75), (100, 2500)),
    "Bootstrapped": ((35, 40, 18, 5, 2, 0, 0, 0), (0, 40), None),
}

NAME_ROOTS: tuple[str, ...] = (
    "Acme", "Nova", "Blue", "Quantum", "Harbor", "Summit", "Pixel", "Lumen", "Atlas", "Vertex",
    "Orbit", "Cedar", "Maple", "Beacon", "Forge", "Signal", "Bright", "North", "Iron", "Silver",
    "Granite", "Falcon", "Echo", "Prism", "Canopy", "Horizon", "Meridian", "Compass", "Keystone",
    "Lantern", "Aurora", "Cobalt", "Crimson", "Willow", "Juniper", "Sequoia", "Redwood", "Aspen",
    "Pioneer", "Frontier", "Catalyst", "Momentum", "Helix", "Vector", "Nimbus", "Stratus", "Zenith",
    "Apex", "Pinnacle", "Relay", "Anchor", "Tidal", "Coral", "Ember", "Flint", "Golden", "Indigo",
    "Kindred", "Lattice", "Mosaic", "Oak", "Paragon", "Quill", "Ridge", "Sable", "Terra", "Umber",
    "Vivid", "Wren", "Yonder", "Zephyr", "Alpine", "Bolt", "Clover", "Drift", "Flare", "Fathom",
    "Glide", "Haven", "Inlet", "Jasper", "Kite", "Loop", "Mesa", "Nest", "Onyx", "Pulse", "Quartz",
    "River", "Spark", "Thread", "Union", "Verve", "Wave", "Axis", "Bridge", "Circuit", "Delta",
    "Element", "Fable", "Grove", "Harvest", "Ivy", "Jolt", "Kernel", "Ledger", "Matter", "Notion",
    "Opal", "Pebble", "Quest", "Radius", "Stack", "Tandem", "Unity", "Vista", "Wander", "Xylo",
)
NAME_SYLLABLES: tuple[str, ...] = (
    "zen", "tri", "vo", "lux", "ka", "ra", "mi", "tel", "dro", "ex", "no", "va", "sy", "qua", "lo",
    "ri", "ta", "ve", "cor", "al", "bi", "ly", "fi", "gen", "ko", "ma", "ne", "pho", "sa", "tu", "xa",
    "yo", "zi", "ar", "dex", "mo", "vi", "ru", "on", "is", "ae", "ple", "na", "ro", "ster", "io",
)
NAME_SUFFIXES_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "SaaS/Software": ("Software", "Cloud", "HQ", "Labs", "Systems", "Technologies", "Works", "Apps"),
    "Fintech": ("Pay", "Capital", "Finance", "Money", "Ledger", "Bank"),
    "Healthcare": ("Health", "Care", "Medical", "Clinics", "Wellness"),
    "E-commerce": ("Shop", "Commerce", "Market", "Goods", "Supply"),
    "AI/Machine Learning": ("AI", "Intelligence", "Labs", "Minds", "Neural"),
    "Cybersecurity": ("Security", "Shield", "Guard", "Defense", "Secure"),
    "Biotech": ("Bio", "Therapeutics", "Genomics", "Biosciences", "Pharma"),
    "Logistics": ("Logistics", "Freight", "Fleet", "Shipping", "Transit"),
    "Media": ("Media", "Studios", "Digital", "Network", "Press"),
    "Education": ("Learning", "Academy", "Edu", "Classroom", "Tutors"),
    "Real Estate": ("Properties", "Realty", "Homes", "Estates", "Spaces"),
    "Manufacturing": ("Industries", "Manufacturing", "Materials", "Robotics", "Dynamics"),
    "Consulting": ("Consulting", "Partners", "Advisors", "Group", "Associates"),
    "Gaming": ("Games", "Studios", "Interactive", "Play", "Entertainment"),
    "Climate/Energy": ("Energy", "Solar", "Power", "Carbon", "Grid"),
}
DOMAIN_TLDS: tuple[str, ...] = (".com", ".com", ".com", ".io", ".co")

DESCRIPTION_TEMPLATES: tuple[str, ...] = (
    "{name} builds {product} for {audience}.",
    "{name} provides {product} that helps {audience} move faster.",
    "{name} is a {industry} company offering {product} to {audience}.",
    "Founded in {year}, {name} develops {product} for {audience}.",
)
DESCRIPTION_PRODUCTS: dict[str, tuple[str, ...]] = {
    "SaaS/Software": ("workflow automation software", "a collaborative analytics platform",
                      "developer tooling", "a customer data platform", "billing infrastructure"),
    "Fintech": ("payment infrastructure", "a corporate card and spend platform", "lending software",
                "a treasury management platform", "fraud detection APIs"),
    "Healthcare": ("a virtual care platform", "clinical workflow software", "patient engagement tools",
                   "revenue cycle software"),
    "E-commerce": ("a direct-to-consumer brand platform", "checkout and fulfilment software",
                   "an online marketplace", "merchandising tools"),
    "AI/Machine Learning": ("large language model tooling", "computer vision models",
                            "an AI agent platform", "MLOps infrastructure", "AI copilots"),
    "Cybersecurity": ("cloud security posture management", "identity and access software",
                      "threat detection", "endpoint protection"),
    "Biotech": ("gene therapies", "protein design tools", "diagnostic assays", "drug discovery platforms"),
    "Logistics": ("freight visibility software", "last-mile delivery", "warehouse robotics",
                  "fleet management tools"),
    "Media": ("a podcast network", "digital publishing tools", "creator monetisation tools",
              "streaming content"),
    "Education": ("online courses", "tutoring marketplaces", "learning management software",
                  "upskilling programs"),
    "Real Estate": ("property management software", "commercial leasing tools", "home-buying services",
                    "flexible office space"),
    "Manufacturing": ("industrial automation", "precision components", "factory analytics",
                      "advanced materials"),
    "Consulting": ("digital transformation services", "go-to-market advisory", "data strategy consulting",
                   "cloud migration services"),
    "Gaming": ("multiplayer mobile games", "game development tools", "esports experiences",
               "casual puzzle games"),
    "Climate/Energy": ("residential solar", "grid-scale batteries", "carbon accounting software",
                       "EV charging networks"),
}
DESCRIPTION_AUDIENCES: tuple[str, ...] = (
    "mid-market companies", "enterprise teams", "small businesses", "healthcare providers",
    "finance teams", "developers", "retailers", "consumers", "public-sector agencies",
    "remote-first teams", "manufacturers", "creators",
)

# People are spread over companies by weight employees ** exponent, times a boost for tech
# industries: the index over-represents venture-backed tech, as a sales-prospecting index does.
PEOPLE_PER_COMPANY_EXPONENT = 0.35
TECH_PEOPLE_BOOST = 2.5

# Share of people whose work email is known.
EMAIL_SHARE = 0.6
