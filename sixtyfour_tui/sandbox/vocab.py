"""Word lists and weights behind the sandbox's synthetic people and companies.

Everything here is plain data so the generator (`dataset.py`), the parser (`query_parser.py`) and
the search engine agree on one spelling of every value. Weights are relative, not percentages; they
are tuned so that common demo queries (e.g. VP of Engineering at Series B SaaS in New York) find a
few hundred people in the default 100,000-person data set.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

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
# Partnerships (funds, law firms, consultancies) have many partners; the weight above is multiplied.
SENIORITY_MULTIPLIERS_BY_INDUSTRY: dict[str, dict[str, float]] = {
    "Venture Capital": {"Partner": 14, "VP": 0.5},
    "Legal Services": {"Partner": 9},
    "Consulting": {"Partner": 4},
}

JOB_FUNCTIONS: tuple[str, ...] = (
    "Engineering", "Sales", "Marketing", "Product", "Design", "Operations", "Finance", "HR/People",
    "Data", "Customer Success", "Legal", "Research", "General Management", "Clinical", "Teaching",
    "Hospitality", "Investing",
)

# Function mix for rank-and-file staff; tech companies employ more engineers.
#                                      Eng Sal Mkt Prd Des Ops Fin HR Dat CS Leg Res GM Cli Tea Hos Inv
FUNCTION_WEIGHTS_TECH: tuple[float, ...] = (46, 12, 7, 8, 4, 5, 3, 3, 7, 5, 1, 2, 1, 0, 0, 0, 0)
FUNCTION_WEIGHTS_OTHER: tuple[float, ...] = (14, 18, 11, 5, 4, 16, 8, 6, 5, 7, 3, 2, 1, 0, 0, 0, 0)
# Founders and partners mostly run the business; the C-suite spreads across functions.
FUNCTION_WEIGHTS_FOUNDER: tuple[float, ...] = (22, 3, 2, 8, 1, 2, 1, 0, 2, 0, 0, 2, 57, 0, 0, 0, 0)
FUNCTION_WEIGHTS_PARTNER: tuple[float, ...] = (4, 8, 3, 2, 1, 8, 25, 3, 2, 2, 22, 3, 17, 0, 0, 0, 0)
FUNCTION_WEIGHTS_CXO: tuple[float, ...] = (20, 9, 9, 9, 2, 10, 10, 5, 4, 3, 3, 1, 15, 0, 0, 0, 0)

# What an industry employs beyond the common mix: these weights are added to the staff table
# (and, scaled down, to the founder, partner and C-suite tables), so hospitals employ nurses,
# funds employ investors and law firms employ lawyers.
FUNCTION_FOCUS_BY_INDUSTRY: dict[str, dict[str, float]] = {
    "Healthcare": {"Clinical": 200, "Operations": 5},
    "Biotech": {"Research": 40, "Clinical": 10, "Data": 5},
    "Education": {"Teaching": 60},
    "Hospitality": {"Hospitality": 90, "Operations": 10},
    "Food & Beverage": {"Hospitality": 80, "Operations": 10},
    "Venture Capital": {"Investing": 120, "Finance": 10},
    "Legal Services": {"Legal": 110},
    "Insurance": {"Finance": 20, "Sales": 10, "Data": 5},
    "Consulting": {"General Management": 20, "Operations": 10},
    "Marketing & Advertising": {"Marketing": 40, "Design": 15},
    "Media": {"Marketing": 10, "Design": 10},
    "Gaming": {"Design": 10, "Engineering": 10},
    "Retail": {"Sales": 15, "Operations": 15},
    "Construction": {"Operations": 40},
    "Manufacturing": {"Operations": 25, "Engineering": 10},
    "Automotive": {"Engineering": 25, "Operations": 15},
    "Aerospace & Defense": {"Engineering": 25, "Operations": 15},
    "Nonprofit": {"Operations": 15, "Marketing": 10, "General Management": 5},
    "Telecommunications": {"Engineering": 15, "Sales": 10},
    "AI/Machine Learning": {"Data": 20, "Research": 10},
    "Cybersecurity": {"Engineering": 10},
    "Fintech": {"Finance": 5, "Legal": 2},
}
FOCUS_SCALE_BY_SENIORITY: dict[str, float] = {"CXO": 0.25, "Owner / Founder": 0.1, "Partner": 0.6}

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
    "Clinical": ("Clinical Operations", "Nursing", "Patient Care"),
    "Teaching": ("Academics", "Curriculum", "Instruction"),
    "Hospitality": ("Hospitality", "Guest Experience", "Food & Beverage"),
    "Investing": ("Investments", "Venture", "Portfolio"),
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
    "Clinical": ("Chief Medical Officer", "Chief Nursing Officer"),
    "Teaching": ("Chief Academic Officer",),
    "Hospitality": ("Chief Hospitality Officer", "Chief Experience Officer"),
    "Investing": ("Chief Investment Officer",),
}

FOUNDER_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Co-Founder & CTO", "Technical Co-Founder"),
    "Product": ("Co-Founder & Chief Product Officer", "Co-Founder, Product"),
    "General Management": ("Founder & CEO", "Co-Founder & CEO", "Founder", "Owner"),
    "Hospitality": ("Chef-Owner", "Owner", "Founder"),
    "Investing": ("Founding Partner", "Founder & Managing Partner"),
}
FOUNDER_FALLBACK_TITLES: tuple[str, ...] = ("Co-Founder", "Founder")

PARTNER_TITLES: tuple[str, ...] = ("Partner", "Managing Partner", "Senior Partner", "Operating Partner")
PARTNER_TITLES_BY_FUNCTION: dict[str, tuple[str, ...]] = {
    "Investing": ("General Partner", "Partner", "Managing Partner", "Venture Partner"),
    "Legal": ("Partner", "Equity Partner", "Managing Partner"),
}

# Individual-contributor titles per function; "Senior" adds a prefix or a staff level.
IC_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Software Engineer", "Backend Engineer", "Frontend Engineer", "Full Stack Engineer",
                    "DevOps Engineer", "Site Reliability Engineer", "Mobile Engineer"),
    "Sales": ("Account Executive", "Sales Development Representative", "Business Development Representative"),
    "Marketing": ("Marketing Specialist", "Growth Marketer", "Content Marketer", "Product Marketing Associate"),
    "Product": ("Associate Product Manager", "Product Analyst"),
    "Design": ("Product Designer", "UX Designer", "Visual Designer", "UX Researcher"),
    "Operations": ("Operations Associate", "Business Operations Analyst", "Program Coordinator",
                   "Executive Assistant"),
    "Finance": ("Financial Analyst", "Accountant", "FP&A Analyst"),
    "HR/People": ("Recruiter", "Technical Recruiter", "People Operations Specialist", "HR Generalist"),
    "Data": ("Data Analyst", "Data Scientist", "Data Engineer", "Machine Learning Engineer"),
    "Customer Success": ("Customer Success Manager", "Support Specialist", "Implementation Specialist"),
    "Legal": ("Attorney", "Associate Attorney", "Legal Counsel", "Paralegal", "Compliance Analyst"),
    "Research": ("Research Scientist", "Research Engineer", "Research Associate"),
    "General Management": ("Chief of Staff", "Strategy Associate"),
    "Clinical": ("Registered Nurse", "Registered Nurse", "Nurse Practitioner", "Physician", "Pharmacist",
                 "Physical Therapist", "Medical Assistant", "Clinical Research Coordinator"),
    "Teaching": ("Teacher", "Instructor", "Lecturer", "Curriculum Designer", "Tutor"),
    "Hospitality": ("Chef", "Sous Chef", "Barista", "Front Desk Agent", "Event Coordinator", "Sommelier",
                    "Line Cook"),
    "Investing": ("Investment Analyst", "Investment Associate", "Venture Associate"),
}
# Where an industry shapes the work: these replace IC_TITLES for that (industry, function).
IC_TITLES_BY_INDUSTRY: dict[str, dict[str, tuple[str, ...]]] = {
    "Food & Beverage": {"Hospitality": ("Barista", "Barista", "Chef", "Sous Chef", "Line Cook", "Pastry Chef")},
    "Hospitality": {"Hospitality": ("Front Desk Agent", "Concierge", "Event Coordinator", "Sommelier", "Chef",
                                    "Guest Services Agent")},
    "Biotech": {"Clinical": ("Clinical Research Coordinator", "Clinical Research Associate", "Clinical Trial Manager")},
}
SENIOR_EXTRA_TITLES: dict[str, tuple[str, ...]] = {
    "Engineering": ("Staff Software Engineer", "Principal Engineer", "Lead Software Engineer"),
    "Data": ("Staff Data Scientist", "Lead Data Engineer"),
    "Design": ("Lead Product Designer", "Principal Designer"),
    "General Management": ("Chief of Staff to the CEO",),
    "Clinical": ("Charge Nurse", "Attending Physician"),
    "Teaching": ("Professor", "Lead Teacher"),
    "Hospitality": ("Executive Chef", "Head Bartender"),
    "Investing": ("Principal", "Senior Associate"),
    "Legal": ("Of Counsel",),
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
    "Clinical": ("Nurse Manager", "Clinical Manager", "Practice Manager"),
    "Teaching": ("Academic Program Manager", "Department Chair"),
    "Hospitality": ("Restaurant Manager", "Hotel Manager", "Front Office Manager", "Cafe Manager"),
    "Investing": ("Portfolio Manager", "Investment Manager"),
}

# --- places -----------------------------------------------------------------------------------


class Place(NamedTuple):
    city: str
    state: str  # state or region; "" for city states
    country: str
    iso2: str  # ISO-3166 alpha-2
    weight: float  # how often it is a company headquarters
    lat: float
    lon: float


LOCATIONS: tuple[Place, ...] = tuple(Place(*row) for row in (
    ("New York", "New York", "United States", "US", 50, 40.7128, -74.0060),
    ("San Francisco", "California", "United States", "US", 18, 37.7749, -122.4194),
    ("Oakland", "California", "United States", "US", 1.5, 37.8044, -122.2712),
    ("San Jose", "California", "United States", "US", 2, 37.3382, -121.8863),
    ("Palo Alto", "California", "United States", "US", 2.5, 37.4419, -122.1430),
    ("Mountain View", "California", "United States", "US", 1.5, 37.3861, -122.0839),
    ("Menlo Park", "California", "United States", "US", 0.6, 37.4530, -122.1817),
    ("Los Angeles", "California", "United States", "US", 5, 34.0522, -118.2437),
    ("Santa Monica", "California", "United States", "US", 0.8, 34.0195, -118.4912),
    ("San Diego", "California", "United States", "US", 1.5, 32.7157, -117.1611),
    ("Austin", "Texas", "United States", "US", 5, 30.2672, -97.7431),
    ("Dallas", "Texas", "United States", "US", 2, 32.7767, -96.7970),
    ("Houston", "Texas", "United States", "US", 1.5, 29.7604, -95.3698),
    ("Boston", "Massachusetts", "United States", "US", 6, 42.3601, -71.0589),
    ("Cambridge", "Massachusetts", "United States", "US", 1, 42.3736, -71.1097),
    ("Seattle", "Washington", "United States", "US", 5, 47.6062, -122.3321),
    ("Bellevue", "Washington", "United States", "US", 0.8, 47.6101, -122.2015),
    ("Chicago", "Illinois", "United States", "US", 4, 41.8781, -87.6298),
    ("Denver", "Colorado", "United States", "US", 2.5, 39.7392, -104.9903),
    ("Boulder", "Colorado", "United States", "US", 0.6, 40.0150, -105.2705),
    ("Miami", "Florida", "United States", "US", 2.5, 25.7617, -80.1918),
    ("Atlanta", "Georgia", "United States", "US", 2, 33.7490, -84.3880),
    ("Washington", "District of Columbia", "United States", "US", 2, 38.9072, -77.0369),
    ("Arlington", "Virginia", "United States", "US", 0.6, 38.8816, -77.0910),
    ("Philadelphia", "Pennsylvania", "United States", "US", 1.5, 39.9526, -75.1652),
    ("Salt Lake City", "Utah", "United States", "US", 1.2, 40.7608, -111.8910),
    ("Raleigh", "North Carolina", "United States", "US", 1, 35.7796, -78.6382),
    ("Nashville", "Tennessee", "United States", "US", 1, 36.1627, -86.7816),
    ("Minneapolis", "Minnesota", "United States", "US", 1, 44.9778, -93.2650),
    ("Portland", "Oregon", "United States", "US", 1, 45.5152, -122.6784),
    ("Pittsburgh", "Pennsylvania", "United States", "US", 0.8, 40.4406, -79.9959),
    ("Detroit", "Michigan", "United States", "US", 0.6, 42.3314, -83.0458),
    ("Las Vegas", "Nevada", "United States", "US", 0.6, 36.1699, -115.1398),
    ("Phoenix", "Arizona", "United States", "US", 0.8, 33.4484, -112.0740),
    ("London", "England", "United Kingdom", "GB", 8, 51.5074, -0.1278),
    ("Manchester", "England", "United Kingdom", "GB", 1, 53.4808, -2.2426),
    ("Edinburgh", "Scotland", "United Kingdom", "GB", 0.6, 55.9533, -3.1883),
    ("Dublin", "Leinster", "Ireland", "IE", 1.5, 53.3498, -6.2603),
    ("Berlin", "Berlin", "Germany", "DE", 3.5, 52.5200, 13.4050),
    ("Munich", "Bavaria", "Germany", "DE", 1.5, 48.1351, 11.5820),
    ("Hamburg", "Hamburg", "Germany", "DE", 0.8, 53.5511, 9.9937),
    ("Stuttgart", "Baden-Württemberg", "Germany", "DE", 0.5, 48.7758, 9.1829),
    ("Paris", "Île-de-France", "France", "FR", 3, 48.8566, 2.3522),
    ("Amsterdam", "North Holland", "Netherlands", "NL", 2, 52.3676, 4.9041),
    ("Brussels", "Brussels-Capital", "Belgium", "BE", 0.6, 50.8503, 4.3517),
    ("Stockholm", "Stockholm County", "Sweden", "SE", 1.2, 59.3293, 18.0686),
    ("Copenhagen", "Capital Region", "Denmark", "DK", 0.8, 55.6761, 12.5683),
    ("Oslo", "Oslo", "Norway", "NO", 0.6, 59.9139, 10.7522),
    ("Helsinki", "Uusimaa", "Finland", "FI", 0.6, 60.1699, 24.9384),
    ("Zurich", "Zurich", "Switzerland", "CH", 1, 47.3769, 8.5417),
    ("Vienna", "Vienna", "Austria", "AT", 0.6, 48.2082, 16.3738),
    ("Madrid", "Community of Madrid", "Spain", "ES", 1, 40.4168, -3.7038),
    ("Barcelona", "Catalonia", "Spain", "ES", 1, 41.3851, 2.1734),
    ("Lisbon", "Lisbon", "Portugal", "PT", 0.8, 38.7223, -9.1393),
    ("Milan", "Lombardy", "Italy", "IT", 0.8, 45.4642, 9.1900),
    ("Warsaw", "Masovia", "Poland", "PL", 0.8, 52.2297, 21.0122),
    ("Prague", "Prague", "Czechia", "CZ", 0.5, 50.0755, 14.4378),
    ("Toronto", "Ontario", "Canada", "CA", 3.5, 43.6532, -79.3832),
    ("Vancouver", "British Columbia", "Canada", "CA", 1.2, 49.2827, -123.1207),
    ("Montreal", "Quebec", "Canada", "CA", 1, 45.5017, -73.5673),
    ("Tel Aviv", "Tel Aviv District", "Israel", "IL", 2.5, 32.0853, 34.7818),
    ("Dubai", "Dubai", "United Arab Emirates", "AE", 0.8, 25.2048, 55.2708),
    ("Bangalore", "Karnataka", "India", "IN", 3, 12.9716, 77.5946),
    ("Mumbai", "Maharashtra", "India", "IN", 1.2, 19.0760, 72.8777),
    ("Singapore", "", "Singapore", "SG", 2, 1.3521, 103.8198),
    ("Hong Kong", "", "Hong Kong", "HK", 0.8, 22.3193, 114.1694),
    ("Shanghai", "Shanghai", "China", "CN", 0.8, 31.2304, 121.4737),
    ("Seoul", "Seoul", "South Korea", "KR", 0.8, 37.5665, 126.9780),
    ("Tokyo", "Tokyo", "Japan", "JP", 1.2, 35.6762, 139.6503),
    ("Osaka", "Osaka", "Japan", "JP", 0.4, 34.6937, 135.5023),
    ("Sydney", "New South Wales", "Australia", "AU", 2, -33.8688, 151.2093),
    ("Melbourne", "Victoria", "Australia", "AU", 1, -37.8136, 144.9631),
    ("São Paulo", "São Paulo", "Brazil", "BR", 1.2, -23.5505, -46.6333),
    ("Mexico City", "Mexico City", "Mexico", "MX", 0.8, 19.4326, -99.1332),
    ("Buenos Aires", "Buenos Aires", "Argentina", "AR", 0.5, -34.6037, -58.3816),
    ("Bogotá", "Bogotá", "Colombia", "CO", 0.5, 4.7110, -74.0721),
    ("Lagos", "Lagos", "Nigeria", "NG", 0.6, 6.5244, 3.3792),
    ("Nairobi", "Nairobi County", "Kenya", "KE", 0.5, -1.2921, 36.8219),
    ("Cape Town", "Western Cape", "South Africa", "ZA", 0.5, -33.9249, 18.4241),
))

# Share of a company's people who live in its headquarters city (the rest are spread out).
SHARE_AT_HEADQUARTERS = 0.88

# Industries cluster: the headquarters weight of a city is multiplied for these industries.
INDUSTRY_PLACE_BOOSTS: dict[str, dict[str, float]] = {
    "Gaming": {"Tokyo": 30, "Osaka": 8, "Seoul": 8, "Los Angeles": 2.5, "Santa Monica": 5, "Seattle": 2,
               "Bellevue": 6, "Montreal": 5, "Stockholm": 4, "Helsinki": 6},
    "Venture Capital": {"Menlo Park": 40, "Palo Alto": 6, "San Francisco": 2.5, "New York": 1.2, "London": 1.5,
                        "Boston": 1.5, "Tel Aviv": 1.5, "Singapore": 1.5},
    "Biotech": {"Boston": 4, "Cambridge": 25, "San Diego": 6},
    "Healthcare": {"Nashville": 6, "Boston": 1.5, "Minneapolis": 2, "Chicago": 4},
    "Fintech": {"London": 2.5, "New York": 1.3, "Singapore": 2, "São Paulo": 2},
    "Hospitality": {"Las Vegas": 20, "Miami": 4, "Dubai": 5, "Paris": 1.5, "Lisbon": 2},
    "Food & Beverage": {"Seattle": 8, "Portland": 8, "Melbourne": 3, "Milan": 3},
    "Automotive": {"Detroit": 40, "Stuttgart": 25, "Munich": 4, "Tokyo": 3, "Osaka": 3, "Seoul": 3},
    "Aerospace & Defense": {"Arlington": 20, "Washington": 5, "Seattle": 3, "Los Angeles": 2, "Denver": 2},
    "Legal Services": {"New York": 1.3, "Washington": 4, "London": 1.5, "Chicago": 2},
    "Climate/Energy": {"Houston": 6, "Denver": 3, "Boulder": 8, "Copenhagen": 3, "Oslo": 4},
    "Logistics": {"Singapore": 2, "Amsterdam": 2, "Hamburg": 6, "Dallas": 2},
    "Media": {"Los Angeles": 4, "New York": 1.2},
    "Marketing & Advertising": {"New York": 1.3, "London": 1.5, "Los Angeles": 2},
    "Insurance": {"Zurich": 5, "Chicago": 2},
    "Telecommunications": {"Dallas": 3, "Helsinki": 4, "Stockholm": 3, "Seoul": 3},
    "Construction": {"Dubai": 5, "Phoenix": 5, "Dallas": 2},
    "Nonprofit": {"Washington": 5, "New York": 1.2, "Nairobi": 6},
    "AI/Machine Learning": {"San Francisco": 1.5, "Toronto": 1.5, "Montreal": 2, "London": 1.2},
    "Cybersecurity": {"Tel Aviv": 4, "Washington": 2, "Arlington": 3},
    "Education": {"Boston": 2, "Bangalore": 2},
}

# --- companies --------------------------------------------------------------------------------

INDUSTRIES: tuple[str, ...] = (
    "Software", "SaaS", "Fintech", "Healthcare", "E-commerce", "Retail", "AI/Machine Learning", "Cybersecurity",
    "Biotech", "Logistics", "Media", "Marketing & Advertising", "Education", "Real Estate", "Manufacturing",
    "Consulting", "Gaming", "Climate/Energy", "Venture Capital", "Legal Services", "Hospitality",
    "Food & Beverage", "Insurance", "Automotive", "Aerospace & Defense", "Telecommunications", "Construction",
    "Nonprofit",
)
INDUSTRY_WEIGHTS: tuple[float, ...] = (
    12, 80, 9, 7, 5, 2.5, 9, 5,
    4, 3.5, 3, 2.5, 3.5, 3, 3.5,
    3.5, 3, 3, 2, 2, 2,
    2.5, 2, 1.5, 1, 1, 1.5,
    1.5,
)
TECH_INDUSTRIES: frozenset[str] = frozenset(
    {"Software", "SaaS", "Fintech", "AI/Machine Learning", "Cybersecurity", "Gaming", "E-commerce"}
)
# Businesses that rarely raise venture rounds: mostly bootstrapped, private equity or public.
TRADITIONAL_INDUSTRIES: frozenset[str] = frozenset(
    {"Venture Capital", "Legal Services", "Hospitality", "Food & Beverage", "Construction", "Insurance"}
)
UNFUNDED_INDUSTRIES: frozenset[str] = frozenset({"Nonprofit"})

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
STAGE_WEIGHTS_TECH: tuple[float, ...] = (5, 14, 18, 40, 10, 5, 3, 4, 6, 9)
STAGE_WEIGHTS_OTHER: tuple[float, ...] = (4, 10, 13, 16, 7, 3, 2, 10, 9, 26)
STAGE_WEIGHTS_TRADITIONAL: tuple[float, ...] = (1, 3, 4, 4, 2, 1, 0.5, 15, 8, 60)
STAGE_WEIGHTS_UNFUNDED: tuple[float, ...] = (0, 0, 0, 0, 0, 0, 0, 0, 0, 1)

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
    "Software": ("Software", "Systems", "Technologies", "Works", "Labs"),
    "SaaS": ("Cloud", "HQ", "Apps", "Hub", "Software"),
    "Fintech": ("Pay", "Capital", "Finance", "Money", "Ledger", "Bank"),
    "Healthcare": ("Health", "Care", "Medical", "Clinics", "Wellness"),
    "E-commerce": ("Shop", "Commerce", "Market", "Goods", "Supply"),
    "Retail": ("Stores", "Outfitters", "Mart", "Goods", "Retail"),
    "AI/Machine Learning": ("AI", "Intelligence", "Labs", "Minds", "Neural"),
    "Cybersecurity": ("Security", "Shield", "Guard", "Defense", "Secure"),
    "Biotech": ("Bio", "Therapeutics", "Genomics", "Biosciences", "Pharma"),
    "Logistics": ("Logistics", "Freight", "Fleet", "Shipping", "Transit"),
    "Media": ("Media", "Studios", "Digital", "Network", "Press"),
    "Marketing & Advertising": ("Agency", "Creative", "Collective", "Ads", "Brands"),
    "Education": ("Learning", "Academy", "Edu", "Classroom", "Tutors"),
    "Real Estate": ("Properties", "Realty", "Homes", "Estates", "Spaces"),
    "Manufacturing": ("Industries", "Manufacturing", "Materials", "Robotics", "Dynamics"),
    "Consulting": ("Consulting", "Partners", "Advisors", "Group", "Associates"),
    "Gaming": ("Games", "Studios", "Interactive", "Play", "Entertainment"),
    "Climate/Energy": ("Energy", "Solar", "Power", "Carbon", "Grid"),
    "Venture Capital": ("Ventures", "Capital", "Partners", "Fund", "Investments"),
    "Legal Services": ("Law", "Legal", "Counsel", "Advocates", "Attorneys"),
    "Hospitality": ("Hotels", "Hospitality", "Resorts", "Stays", "Inns"),
    "Food & Beverage": ("Coffee", "Kitchen", "Foods", "Brewing", "Roasters", "Bakery"),
    "Insurance": ("Insurance", "Assurance", "Mutual", "Cover"),
    "Automotive": ("Motors", "Auto", "Mobility", "Drive"),
    "Aerospace & Defense": ("Aerospace", "Aviation", "Orbital", "Defense"),
    "Telecommunications": ("Telecom", "Networks", "Wireless", "Connect"),
    "Construction": ("Builders", "Construction", "Build", "Contracting"),
    "Nonprofit": ("Foundation", "Alliance", "Project", "Trust", "Initiative"),
}
DOMAIN_TLDS: tuple[str, ...] = (".com", ".com", ".com", ".io", ".co")
DOMAIN_TLDS_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "AI/Machine Learning": (".ai", ".ai", ".ai", ".com", ".io"),
    "Nonprofit": (".org", ".org", ".org", ".com"),
    "Venture Capital": (".vc", ".com", ".com", ".vc"),
}

DESCRIPTION_TEMPLATES: tuple[str, ...] = (
    "{name} builds {product} for {audience}.",
    "{name} provides {product} that helps {audience} move faster.",
    "{name} is a {industry} company offering {product} to {audience}.",
    "Founded in {year}, {name} develops {product} for {audience}.",
)
# Businesses that are not product companies are described in their own words.
DESCRIPTION_TEMPLATES_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "Venture Capital": ("{name} is a venture capital firm investing in {product}.",
                        "Founded in {year}, {name} is a venture firm backing {product} from the first check."),
    "Legal Services": ("{name} is a law firm advising {audience} on {product}.",
                       "Founded in {year}, {name} represents {audience} in {product}."),
    "Hospitality": ("{name} operates {product} for {audience}.",
                    "Founded in {year}, {name} runs {product} for {audience}."),
    "Food & Beverage": ("{name} runs {product} for {audience}.",
                        "Founded in {year}, {name} operates {product} for {audience}."),
    "Nonprofit": ("{name} is a nonprofit working on {product} for {audience}.",
                  "Founded in {year}, {name} funds {product} for {audience}."),
    "Construction": ("{name} delivers {product} for {audience}.",
                     "Founded in {year}, {name} builds {product} for {audience}."),
}
DESCRIPTION_PRODUCTS: dict[str, tuple[str, ...]] = {
    "Software": ("developer tooling", "database software", "workflow automation software",
                 "an open-source observability stack", "mobile app development tools"),
    "SaaS": ("a collaborative analytics platform", "a customer data platform", "billing infrastructure",
             "subscription HR software", "a cloud CRM"),
    "Fintech": ("payment infrastructure", "a corporate card and spend platform", "lending software",
                "a treasury management platform", "fraud detection APIs"),
    "Healthcare": ("a virtual care platform", "clinical workflow software", "community hospitals",
                   "urgent care clinics", "home nursing services", "a network of primary care clinics"),
    "E-commerce": ("a direct-to-consumer brand platform", "checkout and fulfilment software",
                   "an online marketplace", "merchandising tools"),
    "Retail": ("neighbourhood grocery stores", "outdoor apparel stores", "a chain of home goods stores",
               "consumer electronics stores"),
    "AI/Machine Learning": ("large language model tooling", "computer vision models",
                            "an AI agent platform", "MLOps infrastructure", "AI copilots"),
    "Cybersecurity": ("cloud security posture management", "identity and access software",
                      "threat detection", "endpoint protection"),
    "Biotech": ("gene therapies", "protein design tools", "diagnostic assays", "drug discovery platforms"),
    "Logistics": ("freight visibility software", "last-mile delivery", "warehouse robotics",
                  "fleet management tools"),
    "Media": ("a podcast network", "digital publishing tools", "creator monetisation tools",
              "streaming content"),
    "Marketing & Advertising": ("performance marketing campaigns", "brand strategy and creative",
                                "programmatic advertising", "influencer marketing campaigns"),
    "Education": ("online courses", "tutoring marketplaces", "learning management software",
                  "upskilling programs", "private K-12 schools"),
    "Real Estate": ("property management software", "commercial leasing tools", "home-buying services",
                    "flexible office space"),
    "Manufacturing": ("industrial automation", "precision components", "factory analytics",
                      "advanced materials"),
    "Consulting": ("digital transformation services", "go-to-market advisory", "data strategy consulting",
                   "cloud migration services"),
    "Gaming": ("multiplayer mobile games", "game development tools", "esports experiences",
               "casual puzzle games", "console role-playing games"),
    "Climate/Energy": ("residential solar", "grid-scale batteries", "carbon accounting software",
                       "EV charging networks"),
    "Venture Capital": ("seed-stage software startups", "fintech and insurtech founders", "climate technology",
                        "AI-first companies", "consumer brands", "developer tools companies"),
    "Legal Services": ("corporate and M&A matters", "intellectual property", "employment law",
                       "commercial litigation", "privacy and data protection", "venture financings"),
    "Hospitality": ("boutique hotels", "beach resorts", "vacation rentals", "event venues",
                    "business hotels"),
    "Food & Beverage": ("specialty coffee shops", "a coffee roastery and cafés", "fast-casual restaurants",
                        "a craft brewery and taproom", "a plant-based snack brand", "a bakery-café chain",
                        "neighbourhood coffee shops"),
    "Insurance": ("small-business insurance", "health insurance plans", "auto insurance",
                  "embedded insurance APIs"),
    "Automotive": ("electric vehicles", "automotive software", "vehicle components", "autonomous driving"),
    "Aerospace & Defense": ("satellite launches", "drone systems", "jet engine components",
                            "defense electronics"),
    "Telecommunications": ("fibre broadband", "5G network equipment", "mobile networks",
                           "enterprise connectivity"),
    "Construction": ("commercial construction", "modular homes", "infrastructure projects",
                     "renovation services"),
    "Nonprofit": ("clean water access", "youth coding education", "food security", "climate resilience",
                  "refugee support"),
}
DESCRIPTION_AUDIENCES: tuple[str, ...] = (
    "mid-market companies", "enterprise teams", "small businesses", "healthcare providers",
    "finance teams", "developers", "retailers", "consumers", "public-sector agencies",
    "remote-first teams", "manufacturers", "creators",
)
DESCRIPTION_AUDIENCES_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "Healthcare": ("patients", "families", "employers", "seniors", "rural communities"),
    "Retail": ("shoppers", "families", "outdoor enthusiasts", "local neighbourhoods"),
    "Legal Services": ("startups", "growth companies", "employers", "technology companies", "banks"),
    "Hospitality": ("business travellers", "families", "tourists", "event planners"),
    "Food & Beverage": ("commuters", "families", "local neighbourhoods", "grocery shoppers", "food lovers"),
    "Nonprofit": ("underserved communities", "rural families", "students", "local communities"),
    "Construction": ("developers", "public-sector agencies", "homeowners", "retailers"),
    "Education": ("students", "working adults", "schools", "universities", "families"),
    "Insurance": ("small businesses", "families", "drivers", "employers"),
}

# People are spread over companies by weight employees ** exponent, times a boost for tech
# industries: the index over-represents venture-backed tech, as a sales-prospecting index does.
PEOPLE_PER_COMPANY_EXPONENT = 0.35
TECH_PEOPLE_BOOST = 2.5
# Service businesses are staff-heavy for their size (a café or a clinic is all front line).
PEOPLE_BOOST_BY_INDUSTRY: dict[str, float] = {
    "Food & Beverage": 3.0, "Hospitality": 3.0, "Healthcare": 2.0, "Retail": 2.0, "Education": 1.5,
}

# Share of people whose work email is known.
EMAIL_SHARE = 0.6
