from sixtyfour_tui.cli import main

raise SystemExit(main())
