"""Hand-built word lists: what kind of action an item takes, on what kind of thing.

These carry the distinction the seed articles draw. A VA *executes one routine action under
direction* (send, book, post, enter, file, pay, order, look up); an OM *designs, chooses, owns or
improves how the business runs* (choose, design, document, streamline, plan, oversee, audit,
negotiate). Words are written in their plain form; the feature code stems them the same way it
stems the text, so "booking", "booked" and "books" all land on the same entry.

The lists are broader than the training corpus on purpose: a word the corpus never used still
lands in its group, and the group's learned weight carries it.
"""

from __future__ import annotations

# Verb groups: group -> words. "Ambiguous" verbs (create, update, set up...) are in no group of
# their own lane; their object decides.
TASK_VERBS: dict[str, tuple[str, ...]] = {
    "send": (
        "send", "email", "e-mail", "mail", "forward", "resend", "reply", "respond", "answer",
        "text", "message", "dm", "ping", "notify", "invite", "rsvp", "cc", "fax", "remind",
        "follow-up", "followup", "chase", "nudge", "thank", "deliver", "share",
        "distribute", "send-out", "reach-out", "get-back", "write-back", "circulate", "tell",
        "inform", "let-know", "ask", "request", "acknowledge", "welcome", "greet", "congratulate",
    ),
    "call": ("call", "phone", "ring", "call-back", "dial", "voicemail", "check-in"),
    "schedule": (
        "schedule", "reschedule", "book", "reserve", "confirm", "calendar", "cancel",
        "postpone", "arrange", "rebook", "register", "sign-up", "enroll",
        "check-in",
    ),
    "post": (
        "post", "publish", "upload", "tweet", "pin", "repost", "crosspost", "cross-post", "boost",
        "queue", "go-live", "blog", "livestream", "promote",
    ),
    "enter": (
        "enter", "input", "log", "record", "add", "import", "export", "tag", "categorize",
        "categorise", "code", "merge", "mark", "transcribe", "type", "type-up", "fill", "fill-out",
        "fill-in", "key", "populate", "dedupe", "tally", "count", "sync", "note", "copy",
        "paste", "write-up", "jot", "label",
    ),
    "file": (
        "file", "scan", "save", "archive", "rename", "sort", "shred", "print", "print-out",
        "backup", "back-up", "download", "store", "clean-up", "tidy", "declutter", "unsubscribe",
        "delete", "flag", "star", "cleanup", "clear", "empty", "photocopy",
    ),
    "pay": (
        "pay", "invoice", "bill", "charge", "refund", "reconcile", "recon", "deposit",
        "reimburse", "void", "payroll", "remit", "process-payment", "collect", "transfer",
        "wire", "venmo", "settle", "issue",
    ),
    "buy": (
        "order", "buy", "purchase", "reorder", "restock", "pick-up", "drop-off", "ship", "return",
        "rent", "renew", "replace", "pack", "fedex", "courier", "stock", "top-up", "grab",
        "collect", "install",
    ),
    "lookup": (
        "research", "look-up", "lookup", "find", "find-out", "check", "verify", "gather",
        "compile", "pull", "look-into", "get-quote", "quote", "search", "locate", "google",
        "double-check", "confirm", "track-down",
    ),
    "prepare": (
        "prepare", "prep", "draft", "proofread", "proof", "edit", "format", "resize", "photograph",
        "make", "caption", "transcribe", "print", "crop",
        "retouch", "mock", "laminate", "assemble", "wrap", "bake",
    ),
    "visit": ("water", "drop", "visit", "attend", "meet", "take", "bring", "walk"),
}

OPS_VERBS: dict[str, tuple[str, ...]] = {
    "choose": (
        "choose", "pick", "select", "pick-out", "decide", "evaluate", "assess", "vet", "shortlist",
        "recommend", "determine", "weigh", "settle-on", "figure-out",
        "work-out", "consider", "explore", "trial", "pilot", "switch",
    ),
    "design": (
        "design", "develop", "define", "establish", "build", "document", "map", "map-out",
        "standardize", "standardise", "systemize", "systematize", "systemise", "formalize",
        "institute", "implement", "structure", "architect", "outline", "lay-out", "write-down",
        "codify", "put-together", "come-up", "template",
        "draw-up", "spec", "specify",
    ),
    "improve": (
        "streamline", "optimize", "optimise", "improve", "overhaul", "revamp", "rework",
        "redesign", "restructure", "reorganize", "reorganise", "automate", "consolidate",
        "simplify", "reduce", "cut-down", "rethink", "scale", "upgrade",
        "refine", "tighten", "modernize", "centralize", "centralise", "unify",
        "rebuild", "redo", "revise", "sort-out", "solve", "eliminate", "minimize", "speed-up",
        "increase", "grow", "lower", "prevent", "stop",
    ),
    "plan": (
        "plan", "strategize", "strategise", "forecast", "budget", "prioritize", "prioritise",
        "roadmap", "allocate", "align",
        "anticipate", "prepare-for", "map-out", "think-through", "brainstorm",
    ),
    "oversee": (
        "oversee", "manage", "coordinate", "lead", "own", "supervise", "delegate", "run",
        "direct", "orchestrate", "roll-out", "rollout", "migrate", "transition", "launch",
        "head", "steer", "champion", "spearhead", "administer",
        "facilitate", "govern", "hand-off",
    ),
    "audit": (
        "audit", "review", "analyze", "analyse", "measure", "monitor", "benchmark", "investigate",
        "diagnose", "examine", "evaluate", "survey", "study", "report-on",
        "track", "quantify", "identify",
    ),
    "negotiate": ("negotiate", "renegotiate", "bargain", "tender", "procure"),
    "hire": (
        "hire", "recruit", "train", "onboard", "offboard", "staff", "upskill",
        "interview", "restaff", "outsource",
    ),
    "enforce": ("enforce", "approve", "authorize", "authorise", "mandate", "require", "audit"),
}

# Verbs whose object decides: "create a canva graphic" (task) vs "create an onboarding process"
# (ops). They still count as the first verb so that the object is read after them.
AMBIGUOUS_VERBS = (
    "create", "write", "set-up", "setup", "set", "update", "organize", "organise", "handle",
    "fix", "get", "do", "finish", "start", "put", "clean", "sort", "look", "figure",
    "work", "think", "come", "write-up", "redo", "refresh", "change", "adjust", "tweak",
    "review", "coordinate", "manage", "prepare", "make", "build", "run", "keep", "go", "give",
    "complete", "finalize", "finalise", "sign", "open", "close", "submit", "process", "deal",
    "handle", "maintain", "support", "test", "connect", "integrate", "configure", "turn",
    "enable", "disable", "activate", "deactivate", "remove", "reset", "invite", "hold",
)

# Words that are not actions: skipped when finding the first verb ("pls send", "need to book").
FILLERS = frozenset(
    "please pls plz need needs needed to must should can could would will let lets let's try "
    "want gotta have has remember todo to-do asap urgent quick quickly reminder also help "
    "then just maybe really still again somebody someone anyone we i you me us be is are "
    "am it's its it this that there hey hi ok okay kindly".split()
)

STOPWORDS = frozenset(
    "a an the of and or to in on at for with from by is it be as are was were this that these "
    "those into onto about i me my you your he she they them his her their its it's so if "
    "our we we're us "
    "up out off over than then also just too very please pls plz there here any some "
    "etc eg ie via per".split()
)

# Noun classes: what the item acts on.
NOUN_CLASSES: dict[str, tuple[str, ...]] = {
    "process": (
        "process", "procedure", "sop", "workflow", "system", "checklist", "playbook", "framework",
        "pipeline", "structure", "standard", "guideline", "guidelines", "convention", "handbook",
        "manual", "protocol", "criteria", "cadence", "program", "programme", "journey", "funnel",
        "automation", "intake", "handoff", "hand-off", "escalation", "approval", "routine",
        "methodology", "logistics", "templates", "flow", "lifecycle", "operation",
        "operations", "ops", "infrastructure", "setup", "way", "rule", "rules", "step", "steps",
        "sequence", "documentation", "wiki", "knowledge",
    ),
    "strategy": (
        "strategy", "plan", "roadmap", "goal", "goals", "priorities", "priority", "vision",
        "direction", "approach", "budget", "forecast", "kpi", "kpis", "metric", "metrics", "okr",
        "target", "targets", "dashboard", "capacity", "resourcing", "headcount",
        "allocation", "growth", "scaling", "efficiency", "productivity", "performance",
        "profitability", "margin", "margins", "cost", "costs", "spend", "spending", "savings",
        "churn", "retention", "quality", "bottleneck", "bottlenecks", "long-term", "positioning",
        "model", "mix", "benchmark", "analysis", "audit", "roi", "objectives", "outcome",
        "outcomes", "initiative", "scope", "risk", "contingency", "chain", "logistics",
    ),
    "policy": (
        "policy", "policies", "terms", "compliance", "security", "privacy", "rules",
        "requirements", "standards", "governance", "permissions", "access",
        "sla", "guarantee", "limits", "expectations", "boundaries",
    ),
    "tool": (
        "software", "tool", "tools", "platform", "platforms", "app", "apps", "crm", "provider",
        "solution", "stack", "tech", "technology", "integration", "integrations", "esp",
        "plugin", "saas", "portal", "database", "erp", "pos", "ats", "lms", "helpdesk",
        "help-desk", "scheduler",
    ),
    "vendor": (
        "vendor", "vendors", "supplier", "suppliers", "firm", "agency", "contractor",
        "contractors", "partner", "partners", "company", "provider", "providers", "freelancer",
        "freelancers", "landlord", "carrier", "processor", "manufacturer", "wholesaler", "caterer",
        "cleaners", "accountant", "bookkeeper", "lawyer", "consultant", "lease", "agreement",
        "rates",
    ),
    "team": (
        "team", "staff", "roles", "role", "responsibilities", "org", "department", "departments",
        "employees", "employee", "people", "company-wide", "organization", "workforce", "hires",
        "coverage", "handbook", "culture", "morale", "workload", "managers", "leadership", "crew",
        "va", "vas",
    ),
    "message": (
        "email", "emails", "inbox", "message", "messages", "dm", "dms", "reply", "replies",
        "voicemail", "text", "letter", "note", "invite", "invitation", "reminder", "link",
        "rsvp", "card", "comment", "comments", "review", "reviews", "inquiry", "enquiry",
        "question", "ticket", "tickets", "request", "thank-you", "regrets", "newsletter",
        "mail", "call", "calls", "password", "login",
    ),
    "money": (
        "invoice", "invoices", "receipt", "receipts", "payment", "payments", "expense", "expenses",
        "bill", "bills", "check", "cheque", "statement", "statements", "refund", "charge",
        "transaction", "transactions", "deposit", "1099", "w-9", "w9", "w-4", "i-9", "payout",
        "payouts", "reimbursement", "mileage", "petty", "cash", "fee", "retainer", "tax", "taxes",
        "p&l", "payroll", "subscription", "renewal", "estimate", "quote", "quotes", "price",
    ),
    "content": (
        "post", "posts", "caption", "captions", "graphic", "graphics", "reel", "reels", "story",
        "stories", "video", "videos", "photo", "photos", "newsletter", "blog", "article",
        "episode", "carousel", "flyer", "banner", "tweet", "pin", "pins", "thumbnail", "slide",
        "slides", "deck", "image", "images", "copy", "headline", "subject", "press", "recording",
        "podcast", "webinar", "ad", "ads", "listing", "listings", "gallery", "mockup", "mockups",
        "brochure", "handout", "handouts", "bio", "page", "link",
    ),
    "travel": (
        "flight", "flights", "hotel", "hotels", "car", "train", "ticket", "tickets", "itinerary",
        "airport", "uber", "lyft", "taxi", "rental", "trip", "reservation",
        "reservations", "airbnb", "accommodation", "passport", "visa", "shuttle", "luggage",
        "layover", "seat", "travel",
    ),
    "meeting": (
        "meeting", "meetings", "appointment", "appointments", "appt", "call", "interview",
        "interviews", "demo", "session", "zoom", "consultation", "showing", "table", "dinner",
        "lunch", "breakfast", "coffee", "mtg", "1:1", "one-on-one", "kickoff", "huddle",
        "standup", "haircut", "dentist", "doctor", "visit",
    ),
    "record": (
        "file", "files", "folder", "folders", "document", "documents", "contract", "contracts",
        "form", "forms", "nda", "ndas", "packet", "pdf", "spreadsheet", "sheet", "record",
        "records", "contact", "contacts", "lead", "leads", "list", "csv", "notes", "minutes",
        "entry", "entries", "data", "details", "info", "information", "attachment", "attachments",
        "signature", "copy", "copies", "report", "tracker", "agenda", "summary", "profile",
    ),
    "goods": (
        "supplies", "supply", "toner", "paper", "package", "packages", "order", "orders",
        "shipment", "stock", "label", "labels", "delivery", "deliveries", "coffee", "laptop",
        "gift", "gifts", "flowers", "cake", "badges", "lunch", "printer", "ink", "boxes",
        "furniture", "desk", "chair", "keys", "key", "lightbulbs", "groceries", "samples",
    ),
    "event": (
        "event", "events", "venue", "workshop", "conference", "summit", "expo", "party",
        "retreat", "webinar", "offsite", "fundraiser", "gala", "mixer", "trade-show",
        "tradeshow", "booth", "catering", "class", "launch",
    ),
    "hiring": (
        "candidate", "candidates", "applicant", "applicants", "resume", "resumes", "job",
        "hire", "hiring", "offer", "references", "recruiting", "recruitment", "onboarding",
        "training", "interview", "role", "position", "vacancy", "new-hire",
    ),
}

# Abstract "how the business runs" words, and "one concrete thing" words, for the scope cues.
SCOPE_ALL = frozenset(
    "all every each whole entire everything everyone company-wide across always never "
    "consistently standard recurring".split()
)
TIME_UNITS = frozenset(
    "day days morning evening week weeks weekly month months monthly quarter quarterly year "
    "years annual annually yearly monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun weekday weekend time".split()
)
GOING_FORWARD = (
    ("going", "forward"), ("moving", "forward"), ("from", "now"), ("long", "term"),
    ("long-term", ""), ("ongoing", ""), ("next", "year"), ("this", "year"), ("future", ""),
    ("as", "we"), ("when", "we"),
)
QUESTION_WORDS = {
    "how": "how", "which": "which", "whether": "whether", "why": "why", "what": "what",
    "who": "who", "where": "where", "if": "whether",
}
IMPROVE_PURPOSE = frozenset(
    "reduce cut save improve speed avoid stop prevent ensure lower increase minimize eliminate "
    "simplify scale grow fewer less better faster easier efficient efficiency smoother "
    "consistent consistently clean".split()
)
PROBLEM_WORDS = frozenset(
    "mess messy broken chaos chaotic keeps keep stall stalls stalled bottleneck bottlenecks "
    "inconsistent scramble slipping slip nobody nothing dropping drop falling falls lost "
    "confusing confused wasting waste wasted manually manual painful overwhelmed "
    "problem problems issue issues redundant duplicate duplicated late forgotten forget "
    "missed missing".split()
)
SPECIFIC_WORDS = frozenset(
    "today tomorrow tmrw tmr tonight yesterday eod eow asap this next tues thurs".split()
)
COMPARE_WORDS = frozenset(
    "vs versus or between alternatives alternative compare comparison".split()
)

TOOLS = frozenset(
    "quickbooks qbo qb xero freshbooks hubspot pipedrive salesforce zoho canva calendly acuity "
    "asana trello notion clickup basecamp slack gusto adp paychex shopify etsy woocommerce "
    "squarespace wix wordpress mailchimp convertkit flodesk klaviyo activecampaign zapier "
    "gmail gdrive dropbox onedrive sharepoint excel airtable dubsado honeybook later buffer "
    "hootsuite tailwind zoom teachable kajabi thinkific stripe paypal square expensify "
    "docusign hellosign pandadoc zendesk freshdesk intercom gorgias loom 1password lastpass "
    "libsyn buzzsprout eventbrite typeform jotform outlook google monday.com wave ubersuggest "
    "semrush ahrefs keap ontraport kartra clickfunnels linktree planoly gsuite skype "
    "webex bonsai toggl clockify miro figma adobe "
    "lightroom photoshop pixieset showit podia samcart thrivecart".split()
)
# Words that are tools only in some company: "later" and "buffer" are also plain English.
TOOL_BLOCKERS: dict[str, tuple[str, ...]] = {
    "later": ("", "it", "them", "him", "her", "me", "us", "call", "do", "until", "or", "till",
              "see", "talk", "back", "up", "then", "much", "week", "day", "month", "year",
              "email", "text", "remind", "follow", "reply"),
    "buffer": ("cash", "a", "time", "emergency", "safety", "inventory", "stock"),
    "square": ("times", "town", "sq"),
    "wave": ("next", "new", "first", "second"),
    "google": ("a", "quick"),
    "adobe": (),
}
SOCIAL = frozenset(
    "instagram insta ig facebook fb linkedin tiktok youtube yt pinterest twitter threads "
    "snapchat reddit yelp nextdoor google-business".split()
)

WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed weds thu thur "
    "thurs fri sat sun mondays tuesdays wednesdays thursdays fridays".split()
)
MONTHS = frozenset(
    "january february march april june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
RELATIVE_DAYS = frozenset("today tomorrow tmrw tmr tonight yesterday eod eow weekend".split())

# Common first names (not ones that are also everyday words: bill, will, mark, pat, rob).
FIRST_NAMES = frozenset(
    "aaron abby adam alex alice alicia amanda amy ana andrea andrew angela anna anne anthony "
    "ashley barbara ben beth betty bob brad brandon brian brittany carlos carol caroline "
    "chris christina christine claire dan dana daniel dave david deb debbie derek "
    "diana diane donna doug ed elena elizabeth ellen emily emma eric erin eva frank gary greg "
    "hannah heather helen henry holly ian jack jackie jake james jamie jane janet jason jen "
    "jenna jennifer jess jessica jill jim joe john jon jonathan jordan jose josh juan julia "
    "julie justin karen kate katie kayla keith kelly ken kevin kim kira kyle laura lauren leah "
    "lily linda lisa liz lucy luis luke maria matt megan melissa mia michael michelle mike "
    "molly nadia nancy natalie nathan nick nicole olivia omar patrick paul peter priya "
    "rachel ravi rebecca  robert ryan sally sam samantha sandra sara sarah scott sean "
    "sophie stephanie steve sue susan tanya taylor tim tina todd tom tony tracy tyler vanessa "
    "victor zoe mom dad grandma grandpa hubby wife husband ahmed fatima wei raj anil "
    "mr mrs ms dr kristen becca jules marco gus lena tara".split(
)
)
# Capitalised words that are not names (acronyms are skipped because they are all caps).
KNOWN_CAPITALISED = frozenset(
    "i monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december q1 q2 q3 q4 ceo cfo coo ops "
    "sop crm kpi va om obm vp hr it pm".split()
)

ABBREVIATIONS = {
    "appt": "appointment", "appts": "appointments", "mtg": "meeting", "mtgs": "meetings",
    "mgmt": "management", "mgr": "manager", "info": "information", "docs": "documents",
    "doc": "document", "pkg": "package", "rpt": "report", "recon": "reconcile",
    "reconcil": "reconcile", "acct": "account", "accts": "accounts", "amt": "amount",
    "approx": "approximately",
    "bday": "birthday", "b-day": "birthday", "msg": "message", "msgs": "messages",
    "pw": "password", "pwd": "password", "nxt": "next", "wk": "week", "wks": "weeks",
    "mo": "month", "yr": "year", "yrs": "years", "cust": "customer", "custs": "customers",
    "sched": "schedule", "req": "request", "reqs": "requirements", "admin": "administration",
    "biz": "business", "co": "company", "dept": "department", "emp": "employee",
    "gfx": "graphics", "pics": "photos", "pic": "photo", "vid": "video", "vids": "videos",
    "convo": "conversation", "sm": "social", "socials": "social", "ig": "instagram",
    "fu": "followup", "fwd": "forward", "fw": "forward", "1099s": "1099", "sops": "sop",
    "kpis": "kpi", "okrs": "okr", "nda": "nda", "invoicing": "invoice",
    "organise": "organize", "prioritise": "prioritize", "optimise": "optimize",
    "standardise": "standardize", "analyse": "analyze", "categorise": "categorize",
    "colour": "color", "thru": "through", "tho": "though", "pls": "please", "plz": "please",
    "asap": "asap", "eta": "eta", "ppl": "people", "w9": "w-9", "w4": "w-4", "i9": "i-9",
    "mktg": "marketing", "mkt": "marketing", "fin": "finance", "hrs": "hours", "hr": "hr",
    "ea": "assistant", "vas": "va", "proc": "process", "procs": "processes",
    "onboard": "onboard", "setup": "setup", "rollout": "rollout",
}

IRREGULAR = {
    "bought": "buy", "sent": "send", "paid": "pay", "made": "make", "chose": "choose",
    "chosen": "choose", "wrote": "write", "written": "write", "built": "build", "led": "lead",
    "ran": "run", "got": "get", "gotten": "get", "taken": "take", "took": "take",
    "left": "leave", "found": "find", "held": "hold", "kept": "keep", "set": "set",
    "sold": "sell", "told": "tell", "thought": "think", "meant": "mean", "brought": "bring",
    "done": "do", "did": "do", "does": "do", "gone": "go", "went": "go", "news": "news",
    "business": "business", "process": "process", "processes": "process", "analysis": "analysis",
    "status": "status", "series": "series", "address": "address", "access": "access",
    "this": "this", "his": "his", "its": "its", "us": "us", "yes": "yes", "bus": "bus",
    "policies": "policy", "supplies": "supply", "daily": "day", "weekly": "week",
    "monthly": "month", "quarterly": "quarter", "yearly": "year", "annually": "annual",
    "data": "data", "media": "media", "criteria": "criteria", "during": "during",
    "morning": "morning", "evening": "evening", "wedding": "wedding", "meeting": "meeting",
    "meetings": "meeting", "spring": "spring", "thing": "thing", "things": "thing",
    "something": "something", "everything": "everything", "anything": "anything",
    "nothing": "nothing", "pricing": "price", "billing": "bill", "booking": "book",
    "onboarding": "onboard", "offboarding": "offboard", "hiring": "hire", "staffing": "staff",
    "marketing": "marketing", "bookkeeping": "bookkeeping", "accounting": "accounting",
    "scheduling": "schedule", "training": "train", "shipping": "ship", "listing": "list",
    "listings": "list", "posting": "post", "postings": "post", "reporting": "report",
    "branding": "brand", "planning": "plan", "tracking": "track", "forecasting": "forecast",
    "budgeting": "budget", "outsourcing": "outsource", "messaging": "message",
    "invoicing": "invoice", "ordering": "order", "sms": "sms", "www": "www",
    # final-e stripping would merge these with other words (use/us, care/car, plane/plan)
    "use": "use", "used": "use", "uses": "use", "using": "use", "care": "care",
    "plane": "plane", "planes": "plane", "note": "note", "notes": "note", "noted": "note",
    "site": "site", "sites": "site", "rate": "rate", "rates": "rate", "hope": "hope",
    "fine": "fine", "state": "state", "states": "state", "tape": "tape", "wire": "wire",
    "cute": "cute", "bite": "bite", "hire": "hire", "hires": "hire", "hired": "hire",
}

# Placeholders and cues, as the model sees them, and how a reason names them.
REASON_PHRASES = {
    # first action
    "v1:send": "sends or replies to a message",
    "v1:call": "makes a call",
    "v1:schedule": "schedules or books",
    "v1:post": "posts content",
    "v1:enter": "routine data entry",
    "v1:file": "files or tidies",
    "v1:pay": "pays, bills or reconciles",
    "v1:buy": "orders or buys",
    "v1:lookup": "looks something up",
    "v1:prepare": "prepares one piece of work",
    "v1:visit": "an errand",
    "v1:choose": "makes a choice for the business",
    "v1:design": "designs how work is done",
    "v1:improve": "improves how things run",
    "v1:plan": "plans ahead",
    "v1:oversee": "coordinates or owns a project",
    "v1:audit": "reviews how things run",
    "v1:negotiate": "negotiates terms",
    "v1:hire": "staffing or training",
    "v1:enforce": "sets what is allowed",
    "v1:none": "no action named",
    # action on object
    "vx:choose|tool": "chooses a tool",
    "vx:choose|vendor": "chooses a vendor",
    "vx:design|process": "sets up a process/SOP",
    "vx:amb|process": "sets up a process/SOP",
    "vx:amb|policy": "writes a policy",
    "vx:design|policy": "writes a policy",
    "vx:amb|strategy": "works on strategy or budget",
    "vx:plan|strategy": "works on strategy or budget",
    "vx:schedule|travel": "books travel",
    "vx:buy|travel": "books travel",
    "vx:amb|travel": "books travel",
    "vx:schedule|meeting": "schedules a meeting",
    "vx:amb|meeting": "schedules a meeting",
    "vx:send|message": "sends or replies to a message",
    "vx:amb|message": "handles a message",
    "vx:enter|record": "routine data entry",
    "vx:amb|record": "updates a record",
    "vx:pay|money": "pays or bills",
    "vx:send|money": "sends an invoice or payment",
    "vx:amb|money": "handles an invoice or payment",
    "vx:post|content": "posts content",
    "vx:amb|content": "makes one piece of content",
    "vx:prepare|content": "makes one piece of content",
    "vx:buy|goods": "orders supplies",
    "vx:amb|tool": "works on a tool",
    "vx:amb|vendor": "deals with a vendor",
    "vx:hire|hiring": "staffing or training",
    "vx:schedule|hiring": "schedules hiring steps",
    "vx:amb|team": "organises the team",
    # objects
    "n:process": "about a process/SOP",
    "n:strategy": "about strategy, budget or KPIs",
    "n:policy": "about a policy or rules",
    "n:tool": "about tools or software",
    "n:vendor": "about vendors",
    "n:team": "about the team as a whole",
    "n:message": "about a message",
    "n:money": "about an invoice, payment or receipt",
    "n:content": "about a piece of content",
    "n:travel": "about travel",
    "n:meeting": "about a meeting or appointment",
    "n:record": "about a record or document",
    "n:goods": "about supplies or an order",
    "n:event": "about an event",
    "n:hiring": "about hiring",
    # cues
    "c:how": "asks how things should work",
    "c:which": "asks which option to use",
    "c:whether": "weighs whether to do something",
    "c:why": "asks why something happens",
    "c:what": "asks what the approach should be",
    "c:who": "decides who does what",
    "c:question": "is an open question",
    "c:our": "about how 'we' work",
    "c:scope_all": "covers every case, not one",
    "c:recurring": "a recurring routine",
    "c:forward": "sets things up going forward",
    "c:purpose": "aims to improve something",
    "c:problem": "names a problem to fix",
    "c:compare": "compares options",
    "c:specific": "one specific instance",
    "c:gerund": "about a whole function, not one item",
    "c:noverb": "no action named",
    "c:person": "for a named person",
    "c:maintain": "keeps something up to date",
    "c:for_me": "reports back to you",
    "c:when": "has a date or time",
    "k:TOOL": "names a tool",
    "k:SOCIAL": "names a social platform",
    "k:PERSON": "for a named person",
    "k:DATE": "has a date",
    "k:TIME": "has a time",
    "k:NUMBER": "a specific number",
    "k:MONEY": "a specific amount",
    "k:QUARTER": "a quarter-long horizon",
    "k:YEAR": "a year-long horizon",
    "k:PERCENT": "a percentage target",
    "k:EST_SHORT": "a quick job",
    "k:EST_LONG": "a long piece of work",
}
