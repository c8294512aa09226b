from trombino.cli import main

raise SystemExit(main())
