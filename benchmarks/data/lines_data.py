# Hand-written pain lines for the interview-bot grouping benchmark.
# Every line below was written by hand for this project; nothing is copied
# from any public dataset. Company names are invented.
#
# Format: PAINS[pain_id] = (area, [entries])
#   entry = (text, account)                      -> kind "regular"
#         | (text, account, "trap", looks_like)  -> kind "trap"
# ONE_OFFS = [(pain_id, area, text, account)]    -> kind "one_off"

PAINS = {
    # ---------------------------------------------------------------- sign_in_sso
    "sso_session_timeout": (
        "sign_in_sso",
        [
            ("okta keeps kicking them out", "Crestwell Health"),
            ("sessions expire every few min when signed in through their IdP", "Silverbirch Capital"),
            (
                "SSO users logged out like every 20 min, super annoying for their ops team",
                "Bluepeak Logistics",
            ),
            ("have to re-auth constantly w/ azure AD, 3rd complaint this qtr", "Westbrook Legal"),
            ('"we log in more than we work" - their CFO lol', "Riverbend Credit Union"),
            ("session timeout way too short for sso accts, want it configurable", "Crestwell Health"),
            ("reps get bounced back to the okta login mid-demo", "Kiteline Telecom"),
            (
                "dashboard tab logs them out after ~15 min idle via okta",
                "Tidewater Analytics",
                "trap",
                "dashboard_slow_load",
            ),
        ],
    ),
    "mfa_reset_is_manual": (
        "sign_in_sso",
        [
            ("mfa reset needs a support ticket every time someone gets a new phone", "Pinecrest Insurance"),
            ("lost phone = locked out for 2 days waiting on us to reset 2FA", "Larkspur Staffing"),
            ("admins want to reset authenticator for their own users, cant today", "Vantor Systems"),
            ("new handset, no way back in without emailing support", "Driftwood Hotels"),
            ("2fa recovery is manual, their IT hates it", "Elmstead Council"),
            (
                "new iphone = locked out, authenticator codes didnt transfer",
                "Opaline Cosmetics",
                "trap",
                "ios_battery_drain",
            ),
        ],
    ),
    "saml_setup_hard": (
        "sign_in_sso",
        [
            ("saml config took them 3 weeks, docs are thin", "Foxglove Pharma"),
            ("IT couldnt figure out the attribute mapping for SAML", "Ardent Biolabs"),
            ("setting up single sign-on needed 4 calls w/ our SE", "Riverbend Credit Union"),
            ("no metadata XML upload, they have to paste certs by hand", "Umbra Security"),
            ('"sso setup is a science project" per their sysadmin', "Marlow Robotics"),
            ("ping federate connection kept failing on the cert step, gave up", "Redcliff Energy"),
        ],
    ),
    # ---------------------------------------------------------------- onboarding
    "unclear_first_steps": (
        "onboarding",
        [
            ("new users stare at an empty workspace, no idea what to do first", "Quarry Lane Studio"),
            ("blank screen after signup, nobody knows the next step", "Copperleaf Retail"),
            ("wants a getting started checklist or wizard", "Juniper Lane Bakery"),
            ("team was lost day one, asked for a guided tour", "Brightwater Schools"),
            ('"where do I even click" - their new hire', "Tallgrass Ag"),
            ("first week overwhelming, too many menus and no walkthrough", "Moss & Vine Events"),
            (
                "they don't know where to start after signing up",
                "Opaline Cosmetics",
                "trap",
                "sso_session_timeout",
            ),
            (
                "their staff were clueless until we ran a training session",
                "Thistle Home Care",
                "trap",
                "sso_session_timeout",
            ),
        ],
    ),
    "invite_emails_spam": (
        "onboarding",
        [
            ("invite emails going straight to junk for their whole team", "Saltmarsh Seafood"),
            ("half the invited ppl never got the email, found it in spam folder", "Orchard Street Media"),
            ("outlook quarantines our invitation mails", "Westbrook Legal"),
            ("new users never recieve the join link, had to resend 3x", "Parkway Auto Group"),
            ("mimecast blocking invites, they need to whitelist us", "Pinecrest Insurance"),
        ],
    ),
    "setup_needs_cs_call": (
        "onboarding",
        [
            ("couldnt configure workspace alone, booked 2 calls w/ CS", "Stonefly Labs"),
            ("setup basically requires hand-holding from us, doesn't scale", "Nettle Freight"),
            ("they want self-serve setup, not waiting on our onboarding team", "Kestrel Foods"),
            ("implementation took 6 wks bc every step needed our CSM", "Ironbark Manufacturing"),
            ('"why do I need a consultant to configure a SaaS tool"', "Granite Peak Outdoors"),
        ],
    ),
    # ---------------------------------------------------------------- crm_sync
    "salesforce_sync_duplicates": (
        "crm_sync",
        [
            ("SFDC sync creating duplicate contacts", "Novaline"),
            ("every sync makes a second copy of the account in salesforce", "Bluepeak Logistics"),
            ("dupes piling up in SF after connecting us, rev ops furious", "Tidewater Analytics"),
            ("same lead shows up 3 times in their CRM now", "Kiteline Telecom"),
            ("salesforce dedupe broken, they had to merge 400 records by hand", "Silverbirch Capital"),
            ("our connector clones opportunities instead of updating them", "Larkspur Staffing"),
            ('"your integration doubled our pipeline" - not in a good way', "Parkway Auto Group"),
            ("duplicate records in sfdc again, 2nd time this month", "Novaline"),
        ],
    ),
    "hubspot_sync_delay": (
        "crm_sync",
        [
            ("hubspot sync lags hours behind", "Orchard Street Media"),
            ("changes take till next day to show in HubSpot", "Copperleaf Retail"),
            ("deal stage updates arrive ~6h late, reps work off stale data", "Cinder Games"),
            ("they want real-time push to hubspot not a nightly batch", "Yellowfin Travel"),
            ("marketing sees old info bc the crm refresh is so slow", "Quillon Publishing"),
        ],
    ),
    "crm_field_mapping_missing": (
        "crm_sync",
        [
            ("can't map custom fields to salesforce", "Redcliff Energy"),
            ("need to pick which CRM property each field goes to", "Tidewater Analytics"),
            ("custom objects not supported in the sync", "Foxglove Pharma"),
            ("their industry picklist doesnt come across, no mapping UI", "Meridian Tile Co"),
            ("want field-level control over what gets pushed to hubspot", "Cinder Games"),
        ],
    ),
    # ---------------------------------------------------------------- billing_invoices
    "invoice_missing_po_number": (
        "billing_invoices",
        [
            ("invoices need a PO number or AP rejects them", "Ironbark Manufacturing"),
            ("no field for purchase order on the bill, finance bounced it", "Elmstead Council"),
            ("AP wont pay without PO ref on invoice", "Riverbend Credit Union"),
            ("can we add their PO# to invoices? 3rd ask", "Foxglove Pharma"),
            ("procurement requires order number printed on every bill", "Northgate Builders"),
            ("accounts payable sent back our invoice again, missing reference #", "Redcliff Energy"),
        ],
    ),
    "seat_overbilling": (
        "billing_invoices",
        [
            ("charged for deactivated users", "Lumen & Finch"),
            ("still billing seats for people who left in march", "Crestwell Health"),
            ("removed 12 users but invoice didnt go down", "Oakridge Dental Group"),
            ("seat count on bill higher than active headcount", "Umbra Security"),
            ('"we\'re paying for ghosts" - their office mgr', "Fernhill Property"),
            ("overcharged, licences not released when accounts archived", "Brightwater Schools"),
            (
                "being billed for guest accounts that should be free",
                "Moss & Vine Events",
                "trap",
                "guest_sees_too_much",
            ),
        ],
    ),
    "card_only_payment": (
        "billing_invoices",
        [
            ("they can only pay by wire, we only take cards", "Pinecrest Insurance"),
            ("finance wants ACH / bank transfer option", "Alder & Stone"),
            ("corporate card limit too low for annual, need invoice + net 30", "Zephyr Clinics"),
            ("no way to pay via direct debit in the UK", "Quillon Publishing"),
        ],
    ),
    "invoice_wrong_company_details": (
        "billing_invoices",
        [
            ("VAT number missing from invoices, their EU finance needs it", "Alder & Stone"),
            ("bills still show their old address, can't edit billing entity", "Fernhill Property"),
            ("invoice lists the wrong legal entity name", "Marlow Robotics"),
            ("need to change company details on invoices, no self serve", "Zephyr Clinics"),
            ("invoice PDF export has wrong logo", "Lumen & Finch", "trap", "csv_export_breaks_excel"),
            (
                "invoice sync to their accounting tool shows the wrong entity",
                "Stonefly Labs",
                "trap",
                "hubspot_sync_delay",
            ),
        ],
    ),
    # ---------------------------------------------------------------- mobile_performance
    "android_app_slow_load": (
        "mobile_performance",
        [
            ("android app takes forever to open", "Hollis Fleet Services"),
            ("30 sec cold start on their samsung tablets", "Tallgrass Ag"),
            ("app super laggy on older androids, techs give up", "Northgate Builders"),
            ("screens load sloooow on android, iphone fine", "Parkway Auto Group"),
            ('"spinning wheel of death" on every tap - field crew', "Granite Peak Outdoors"),
            ("android performance is terrible, switching between tabs stutters", "Nettle Freight"),
            ("their galaxy devices hang on the home screen for ages", "Kestrel Foods"),
        ],
    ),
    "ios_battery_drain": (
        "mobile_performance",
        [
            ("iphone battery dies by noon w/ app running", "Driftwood Hotels"),
            ("app drains battery like crazy in background", "Yellowfin Travel"),
            ("phones get hot and lose 40% in an hour", "Saltmarsh Seafood"),
            ("location tracking eating their iOS battery", "Hollis Fleet Services"),
            ("drivers charging phones twice a shift since last update", "Nettle Freight"),
            ("push notifications draining iphone battery", "Zephyr Clinics", "trap", "notification_overload"),
        ],
    ),
    "mobile_crash_on_photo_upload": (
        "mobile_performance",
        [
            ("app crashes when attaching photos", "Northgate Builders"),
            ("taking a pic in the app closes it instantly", "Meridian Tile Co"),
            ("camera upload force-quits on iOS 17", "Fernhill Property"),
            ("inspectors lose reports bc adding images kills the app", "Pinecrest Insurance"),
            ("crash every time they add more than 3 pictures", "Ironbark Manufacturing"),
            ("photo attach = app dies, reproducible", "Oakridge Dental Group"),
        ],
    ),
    "mobile_crash_on_launch": (
        "mobile_performance",
        [
            ("app closes itself on startup since the update", "Saltmarsh Seafood"),
            ("can't get past the splash screen, it just dies", "Granite Peak Outdoors"),
            ("crashes before it even finishes opening on pixel phones", "Kiteline Telecom"),
            ("ios app crashes right on the login screen", "Driftwood Hotels", "trap", "sso_session_timeout"),
            ("mobile app dies on the sign in page since v4.2", "Yellowfin Travel", "trap", "saml_setup_hard"),
        ],
    ),
    # ---------------------------------------------------------------- permissions_roles
    "no_read_only_role": (
        "permissions_roles",
        [
            ("need a view-only role for execs", "Silverbirch Capital"),
            ("no read only access, everyone can edit", "Westbrook Legal"),
            ("auditors need to look but not touch", "Riverbend Credit Union"),
            ("want a viewer seat that can't change anything", "Stonefly Labs"),
            (
                "board members keep accidentally editing stuff, need lookup-only perms",
                "Beacon Hill Nonprofit",
            ),
            ("asked again for a read-only user type", "Marlow Robotics"),
        ],
    ),
    "admin_cant_delegate": (
        "permissions_roles",
        [
            ("only one admin allowed, bottleneck for their whole org", "Larkspur Staffing"),
            ("want regional managers to manage their own teams w/o full admin", "Driftwood Hotels"),
            ("no team-level admin, everything goes thru HQ IT", "Copperleaf Retail"),
            ("can't hand off user mgmt to dept leads", "Elmstead Council"),
            ("need delegated administration per branch", "Parkway Auto Group"),
        ],
    ),
    "guest_sees_too_much": (
        "permissions_roles",
        [
            ("guests can see internal notes", "Moss & Vine Events"),
            ("external contractors able to browse all projects, security flagged it", "Umbra Security"),
            ("guest access too broad, want to restrict to one folder", "Alder & Stone"),
            ("freelancers shouldn't view pricing tab but they can", "Cinder Games"),
            (
                "client portal login shows other clients' files!!",
                "Orchard Street Media",
                "trap",
                "sso_session_timeout",
            ),
            (
                "inviting an outside vendor gives them access to everything",
                "Northgate Builders",
                "trap",
                "invite_emails_spam",
            ),
        ],
    ),
    "custom_roles_missing": (
        "permissions_roles",
        [
            ("roles are all-or-nothing, want to toggle individual permissions", "Vantor Systems"),
            ("need custom role w/ just approve + comment rights", "Foxglove Pharma"),
            ("granular perms please, 5 fixed roles don't fit their org", "Larkspur Staffing"),
            ("want to build their own role templates", "Kestrel Foods"),
            (
                "export button missing for guest users",
                "Quillon Publishing",
                "trap",
                "csv_export_breaks_excel",
            ),
            (
                "no way to let managers run exports w/o giving them every other right too",
                "Tidewater Analytics",
                "trap",
                "no_scheduled_export",
            ),
            (
                "billing dashboard visible to owner only, their finance person needs it",
                "Oakridge Dental Group",
                "trap",
                "dashboard_slow_load",
            ),
            ("want permission sets like in salesforce", "Novaline", "trap", "salesforce_sync_duplicates"),
        ],
    ),
    # ---------------------------------------------------------------- reporting_dashboards
    "dashboard_slow_load": (
        "reporting_dashboards",
        [
            ("dashboards take a min+ to load", "Tidewater Analytics"),
            ("exec dashboard times out w/ a year of data", "Silverbirch Capital"),
            ("reports page spins forever for big accounts", "Redcliff Energy"),
            ('"I go make coffee while the charts render"', "Kestrel Foods"),
            ("widgets load one by one super slowly, embarrassing in QBR", "Vantor Systems"),
            ("analytics view unusably sluggish past 10k rows", "Foxglove Pharma"),
            (
                "chrome tab crashes when the dashboard loads a full year",
                "Meridian Tile Co",
                "trap",
                "mobile_crash_on_photo_upload",
            ),
        ],
    ),
    "no_custom_date_range": (
        "reporting_dashboards",
        [
            ("can't pick custom date range, only last 7/30/90", "Copperleaf Retail"),
            ("want to filter reports between two arbitrary dates", "Ironbark Manufacturing"),
            ("preset periods only, they need e.g. jan 15 - feb 20", "Yellowfin Travel"),
            ("date picker on dashboards is locked to presets", "Lumen & Finch"),
            ("time window options too rigid for their board reporting", "Beacon Hill Nonprofit"),
        ],
    ),
    "chart_numbers_dont_match": (
        "reporting_dashboards",
        [
            ("dashboard totals don't match the raw data", "Novaline"),
            ("numbers differ between report and list view", "Crestwell Health"),
            ("their analyst found counts off by ~5% vs source", "Stonefly Labs"),
            ("lost trust in the metrics, figures inconsistent across pages", "Marlow Robotics"),
            ("timezone seems to shift totals by a day, reports disagree", "Quarry Lane Studio"),
            (
                "revenue chart says 1.2M, export says 1.1M, which is right??",
                "Tidewater Analytics",
                "trap",
                "csv_export_breaks_excel",
            ),
        ],
    ),
    # ---------------------------------------------------------------- offline_mobile
    # loud account: Hollis Fleet Services raises this one 8 times
    "offline_edits_lost": (
        "offline_mobile",
        [
            ("techs lose their work when signal drops", "Hollis Fleet Services"),
            ("offline changes gone after reconnecting", "Hollis Fleet Services"),
            ("filled out a whole job sheet in a basement, nothing saved", "Hollis Fleet Services"),
            ("no sync when back online, data just vanishes", "Hollis Fleet Services"),
            ('"I did 6 inspections yesterday and the app ate them all"', "Hollis Fleet Services"),
            ("edits made w/o coverage never reach the server", "Hollis Fleet Services"),
            ("driver redid a 40 min form bc app dropped it in a dead zone", "Hollis Fleet Services"),
            ("again: lost offline entries, ops mgr threatening to churn", "Hollis Fleet Services"),
            ("field team's entries disappear if they go out of range", "Tallgrass Ag"),
            (
                "offline edits never sync once they're back in coverage",
                "Granite Peak Outdoors",
                "trap",
                "hubspot_sync_delay",
            ),
        ],
    ),
    "no_offline_mode_forms": (
        "offline_mobile",
        [
            ("app unusable without internet", "Saltmarsh Seafood"),
            ("need offline mode for rural sites", "Tallgrass Ag"),
            ("can't open forms w/o wifi, crews work underground", "Redcliff Energy"),
            ('"no bars, no app" - their foreman', "Northgate Builders"),
            (
                "want to download checklists before heading out to remote farms",
                "Kestrel Foods",
                "trap",
                "export_size_limit",
            ),
            (
                "app goes read-only with no signal, can't fill anything in",
                "Hollis Fleet Services",
                "trap",
                "no_read_only_role",
            ),
        ],
    ),
    "offline_sync_conflicts": (
        "offline_mobile",
        [
            ("two techs edit same job offline, one overwrites the other", "Nettle Freight"),
            ("conflict on reconnect just keeps last save, no merge", "Hollis Fleet Services"),
            ("offline edits clobber each other when both sync", "Granite Peak Outdoors"),
            ("want a prompt to choose which version wins", "Driftwood Hotels"),
        ],
    ),
    # ---------------------------------------------------------------- data_export
    "csv_export_breaks_excel": (
        "data_export",
        [
            ("CSV export garbles accents in excel", "Yellowfin Travel"),
            ("exported file opens as one column in excel", "Quillon Publishing"),
            ("umlauts turn into junk when they open the download", "Alder & Stone"),
            ("leading zeros stripped from zip codes in the export", "Pinecrest Insurance"),
            ("commas in notes break the csv columns", "Orchard Street Media"),
            ('their finance guy says our spreadsheet export is "unreadable"', "Larkspur Staffing"),
        ],
    ),
    "export_size_limit": (
        "data_export",
        [
            ("export caps at 10k rows", "Tidewater Analytics"),
            ("can't pull more than 10,000 records at once", "Novaline"),
            ("large exports never finish and the email never arrives", "Silverbirch Capital"),
            ("have to split downloads into 12 chunks to get full history", "Riverbend Credit Union"),
            ("full dataset extract fails past a certain size", "Ardent Biolabs"),
            (
                "export times out after a couple min on their big workspace",
                "Umbra Security",
                "trap",
                "sso_session_timeout",
            ),
        ],
    ),
    "no_scheduled_export": (
        "data_export",
        [
            ("want a weekly export emailed automatically", "Lumen & Finch"),
            ("someone exports by hand every monday, want it scheduled", "Copperleaf Retail"),
            ("recurring data dump to their S3 bucket", "Stonefly Labs"),
            ("nightly automatic extract to SFTP please", "Meridian Tile Co"),
            ("they'd pay more for auto exports on a timer", "Vantor Systems"),
        ],
    ),
    # ---------------------------------------------------------------- notifications
    "notification_overload": (
        "notifications",
        [
            ("way too many emails from the app", "Marlow Robotics"),
            ("users muting us bc of notification spam", "Quarry Lane Studio"),
            ("getting pinged for every tiny change", "Cinder Games"),
            ("inbox flooded, 200 alerts a day", "Bluepeak Logistics"),
            ("want a daily digest instead of individual mails", "Beacon Hill Nonprofit"),
            ('"your app is the loudest thing on my phone"', "Opaline Cosmetics"),
            ("can't turn off the comment alerts per project", "Westbrook Legal"),
        ],
    ),
    "mentions_not_notified": (
        "notifications",
        [
            ("@mentions don't notify anyone", "Opaline Cosmetics"),
            ("tagged ppl never hear about it", "Juniper Lane Bakery"),
            ("missed a client request bc mention alert never fired", "Fernhill Property"),
            ("no push when someone tags you in a comment", "Moss & Vine Events"),
            ("mention emails arrive hrs late or not at all", "Zephyr Clinics"),
        ],
    ),
    "slack_notifications_missing": (
        "notifications",
        [
            ("want alerts in slack not email", "Kiteline Telecom"),
            ("teams channel notifications pls, nobody reads email", "Elmstead Council"),
            ("need slack messages for status changes", "Vantor Systems"),
            ("would love pings in their #ops channel", "Bluepeak Logistics"),
        ],
    ),
    # ---------------------------------------------------------------- search
    "search_misses_attachments": (
        "search",
        [
            ("search doesn't look inside PDFs", "Westbrook Legal"),
            ("can't find text from attached docs", "Foxglove Pharma"),
            ("file contents not indexed, only titles", "Quillon Publishing"),
            ("they want full-text search over uploaded contracts", "Alder & Stone"),
            ("looking up a clause in an attachment returns nothing", "Riverbend Credit Union"),
            (
                "scanned PDFs upload fine but search can't see inside them",
                "Ardent Biolabs",
                "trap",
                "mobile_crash_on_photo_upload",
            ),
        ],
    ),
    "search_no_typo_tolerance": (
        "search",
        [
            ("one typo and search finds nothing", "Juniper Lane Bakery"),
            ("needs fuzzy matching, exact spelling only rn", "Opaline Cosmetics"),
            ("searching 'jonh' won't find john", "Larkspur Staffing"),
            ("no partial word matches, have to type the full name", "Parkway Auto Group"),
            ("misspelled customer names = zero results", "Driftwood Hotels"),
        ],
    ),
    "search_slow": (
        "search",
        [
            ("search takes 10+ sec", "Tidewater Analytics"),
            ("results load painfully slow on large workspaces", "Ardent Biolabs"),
            ("lookup bar hangs every time they type", "Novaline"),
            ("finding a record is quicker by scrolling than searching lol", "Kiteline Telecom"),
        ],
    ),
    # ---------------------------------------------------------------- integrations_api
    "api_rate_limit_low": (
        "integrations_api",
        [
            ("API rate limit too low for their nightly jobs", "Stonefly Labs"),
            ("hitting 429s constantly", "Marlow Robotics"),
            ("100 req/min isn't enough for a 50k-record backfill", "Vantor Systems"),
            ("their devs throttled after a few minutes of syncing", "Cinder Games"),
            ("need higher api quota, willing to pay", "Tidewater Analytics"),
            ('integration partner keeps getting "too many requests"', "Kiteline Telecom"),
            (
                "their zapier flows keep getting throttled by our api",
                "Juniper Lane Bakery",
                "trap",
                "no_zapier_connector",
            ),
        ],
    ),
    "webhook_failures_silent": (
        "integrations_api",
        [
            ("webhooks fail silently, no retry", "Umbra Security"),
            ("missed events when their endpoint was down, never resent", "Nettle Freight"),
            ("no delivery log for webhooks, can't debug", "Ardent Biolabs"),
            ("callbacks just vanish if their server hiccups", "Opaline Cosmetics"),
            (
                "want email alerts when an event push fails",
                "Bluepeak Logistics",
                "trap",
                "notification_overload",
            ),
        ],
    ),
    "no_zapier_connector": (
        "integrations_api",
        [
            ("asked for a zapier integration", "Juniper Lane Bakery"),
            ("want to hook us up to make.com w/o coding", "Moss & Vine Events"),
            ("no-code automation connector missing, they don't have devs", "Fernhill Property"),
            ('"why isn\'t there a zap for this"', "Opaline Cosmetics"),
        ],
    ),
    # ---------------------------------------------------------------- pricing_plans
    "price_too_high_small_team": (
        "pricing_plans",
        [
            ("too pricey for a 5-person team", "Juniper Lane Bakery"),
            ("minimum seat count kills it for small shops", "Quarry Lane Studio"),
            ("budget is tiny, can't justify per-user cost", "Beacon Hill Nonprofit"),
            ("cheaper tier for startups?", "Cinder Games"),
            ("10 seat minimum when they only have 4 people", "Thistle Home Care"),
        ],
    ),
    "feature_gated_enterprise": (
        "pricing_plans",
        [
            ("they need audit log but it's enterprise only", "Umbra Security"),
            ("having to jump 2 tiers just for one feature", "Ardent Biolabs"),
            ("key stuff paywalled in the most expensive package, feels like a shakedown", "Lumen & Finch"),
            ("SSO locked behind enterprise plan", "Crestwell Health", "trap", "saml_setup_hard"),
            ("annoyed that API access requires top tier", "Stonefly Labs", "trap", "api_rate_limit_low"),
            (
                "custom roles only on enterprise, deal breaker",
                "Foxglove Pharma",
                "trap",
                "custom_roles_missing",
            ),
        ],
    ),
    "pricing_page_confusing": (
        "pricing_plans",
        [
            ("can't tell which plan they need from the pricing page", "Thistle Home Care"),
            ("plan comparison table confusing, called us to ask", "Zephyr Clinics"),
            ("way too many tiers, decision paralysis", "Brightwater Schools"),
            (
                "unclear what counts as a 'user' vs a 'seat' on the pricing page",
                "Oakridge Dental Group",
                "trap",
                "seat_overbilling",
            ),
        ],
    ),
    # ---------------------------------------------------------------- data_import
    "import_errors_unclear": (
        "data_import",
        [
            ("import fails with 'row error' and no details", "Meridian Tile Co"),
            ("upload rejected but doesn't say which line is wrong", "Crestwell Health"),
            ("cryptic import error msgs, they gave up after 5 tries", "Thistle Home Care"),
            ("spreadsheet import just says 'invalid', no hint why", "Oakridge Dental Group"),
            ("need a report of bad rows when bulk loading", "Zephyr Clinics"),
            (
                "CSV import fails silently on date formats",
                "Brightwater Schools",
                "trap",
                "csv_export_breaks_excel",
            ),
        ],
    ),
    "import_dedup_missing": (
        "data_import",
        [
            ("re-uploading the list doubles everything, no merge", "Saltmarsh Seafood"),
            ("no match-on-email option when bulk adding people", "Thistle Home Care"),
            ("want upsert on import, not always insert", "Stonefly Labs"),
            ("every time they load the file they get copies", "Kestrel Foods"),
            (
                "importing contacts creates duplicates of existing ones",
                "Lumen & Finch",
                "trap",
                "salesforce_sync_duplicates",
            ),
        ],
    ),
    "no_import_from_competitor": (
        "data_import",
        [
            ("no migration tool from their previous vendor", "Westbrook Legal"),
            ("moving 5 yrs of history over by hand isn't happening", "Ironbark Manufacturing"),
            ("asked for an importer for their legacy ticketing system", "Elmstead Council"),
            ("switching cost too high w/o data migration help", "Kiteline Telecom"),
        ],
    ),
}

ONE_OFFS = [
    (
        "oneoff_custom_fiscal_calendar",
        "reporting_dashboards",
        "fiscal yr starts in july, all their quarterly numbers are off",
        "Silverbirch Capital",
    ),
    (
        "oneoff_rtl_names_in_pdf",
        "data_export",
        "hebrew names come out reversed in the PDF printout",
        "Kiteline Telecom",
    ),
    (
        "oneoff_two_identity_providers",
        "sign_in_sso",
        "contractors live in a 2nd IdP, they want two SSO providers on one workspace",
        "Umbra Security",
    ),
    (
        "oneoff_invoice_in_yen",
        "billing_invoices",
        "needs invoices in JPY for their tokyo entity",
        "Yellowfin Travel",
    ),
    (
        "oneoff_bulk_role_change",
        "permissions_roles",
        "want to change the role for 300 users at once",
        "Larkspur Staffing",
    ),
    (
        "oneoff_api_sandbox",
        "integrations_api",
        "their devs want a sandbox env to test against safely",
        "Marlow Robotics",
    ),
    (
        "oneoff_static_ip_allowlist",
        "integrations_api",
        "need our static IPs for their firewall allowlist",
        "Riverbend Credit Union",
    ),
    (
        "oneoff_dynamics_connector",
        "crm_sync",
        "they're on MS Dynamics, no connector for that",
        "Northgate Builders",
    ),
    ("oneoff_search_by_phone", "search", "can't search by phone #, dispatch needs that", "Nettle Freight"),
    (
        "oneoff_saved_searches",
        "search",
        "wants to save a query and rerun it every morning",
        "Quarry Lane Studio",
    ),
    (
        "oneoff_custom_alert_sound",
        "notifications",
        "push alert sound can't be changed, gets lost in a noisy kitchen",
        "Juniper Lane Bakery",
    ),
    (
        "oneoff_sms_notifications",
        "notifications",
        "drivers don't use email, want SMS texts instead",
        "Parkway Auto Group",
    ),
    (
        "oneoff_onboarding_in_spanish",
        "onboarding",
        "half their staff speaks spanish, onboarding is english only",
        "Tallgrass Ag",
    ),
    (
        "oneoff_sample_data_workspace",
        "onboarding",
        "want demo data preloaded to try things w/o breaking real stuff",
        "Cinder Games",
    ),
    (
        "oneoff_pause_subscription",
        "pricing_plans",
        "seasonal biz, want to pause the plan over winter",
        "Granite Peak Outdoors",
    ),
    (
        "oneoff_nonprofit_discount",
        "pricing_plans",
        "asked if we do a charity discount",
        "Beacon Hill Nonprofit",
    ),
    (
        "oneoff_invoice_per_cost_center",
        "billing_invoices",
        "want separate bills per cost center",
        "Foxglove Pharma",
    ),
    (
        "oneoff_import_from_xml",
        "data_import",
        "their ERP only spits out XML, we only take CSV",
        "Ironbark Manufacturing",
    ),
    (
        "oneoff_bulk_file_upload_with_folders",
        "data_import",
        "need to bulk upload 2k scanned files keeping the folder structure",
        "Westbrook Legal",
    ),
    (
        "oneoff_audit_trail_export",
        "data_export",
        "compliance wants the audit trail exportable for SOC2",
        "Ardent Biolabs",
    ),
    (
        "oneoff_dashboard_tv_mode",
        "reporting_dashboards",
        "want a wallboard / TV mode for the warehouse floor",
        "Bluepeak Logistics",
    ),
    (
        "oneoff_tablet_landscape",
        "mobile_performance",
        "app won't rotate to landscape on ipads",
        "Meridian Tile Co",
    ),
    (
        "oneoff_offline_cache_size",
        "offline_mobile",
        "offline storage fills up their 16GB handhelds",
        "Saltmarsh Seafood",
    ),
    (
        "oneoff_pause_crm_sync",
        "crm_sync",
        "want to pause the sync during their SF migration weekend",
        "Novaline",
    ),
    (
        "oneoff_scim_provisioning",
        "sign_in_sso",
        "want auto user provisioning from azure, SCIM",
        "Vantor Systems",
    ),
    (
        "oneoff_hardware_security_keys",
        "sign_in_sso",
        "security team wants yubikey support",
        "Pinecrest Insurance",
    ),
]

LOUD_ACCOUNT = "Hollis Fleet Services"
LOUD_PAIN = "offline_edits_lost"
