from workshop.commands.cli import main

raise SystemExit(main())
