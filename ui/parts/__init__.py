"""The parts of the sheet editor, one tab each (基本情報, 指標, スケジュール, 事業費, texts, 自己評価, …)."""
