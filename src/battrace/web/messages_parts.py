# ruff: noqa: E501 (catalogue entries are sentences; splitting them hurts translation)
"""The message catalogue's part for parts (key -> (Japanese, English)): the parts list, a
part's page, the structure form, units, and the CSV import."""

from __future__ import annotations

PARTS_MESSAGES: dict[str, tuple[str, str]] = {
    # parts
    "parts.title": ("部品・製品", "Parts and products"),
    "parts.new": ("製品を登録", "Register a product"),
    "parts.import": ("CSVから取り込む", "Import from CSV"),
    "parts.search": ("部品名で検索", "Search by part name"),
    "parts.search_submit": ("検索", "Search"),
    "parts.products_only": ("製品（部品構成の親）のみ", "Products only (parents of a structure)"),
    "parts.none": ("該当する部品はありません。", "No parts found."),
    "parts.saved": ("部品構成を保存しました。", "The parts structure was saved."),
    "parts.delete": ("この部品を削除", "Delete this part"),
    "parts.delete_confirm": ("部品「{name}」を削除しますか？", "Delete the part “{name}”?"),
    "parts.deleted": ("部品を削除しました。", "The part was deleted."),
    "part.name": ("部品名", "Part name"),
    "part.support_name": ("補助項目", "Supplementary name"),
    "part.plant": ("事業所", "Plant"),
    "part.parents": ("使用先（親部品）", "Used in"),
    "part.kind": ("区分", "Kind"),
    "part.kind_product": ("製品（構成あり）", "Product (has a structure)"),
    "part.kind_own": ("自社内で完結", "Made in-house (end of chain)"),
    "part.kind_bought": ("調達品", "Bought in"),
    "part.unit": ("単位", "Unit"),
    "part.label": ("部品ラベル", "Part label"),
    "part.amount": ("活動量（親1単位あたり）", "Amount per unit of the parent"),
    "part.actions": ("操作", "Actions"),
    "part.structure": ("部品構成", "Parts structure"),
    "part.edit_structure": ("部品構成を編集", "Edit the structure"),
    "part.add_structure": ("部品構成を登録", "Add a structure"),
    "part.enter_cfp": ("CFPを入力", "Enter CFP"),
    "part.footprint": ("CFP集計・分析", "Footprint analysis"),
    "structure.new_title": ("製品の登録", "Register a product"),
    "structure.edit_title": ("「{name}」の部品構成", "Structure of “{name}”"),
    "structure.parent": ("親部品（製品）", "Parent part (product)"),
    "structure.children": ("構成部品", "Component parts"),
    "structure.children_hint": (
        "空欄の行は無視されます。構成部品を開くと、その部品の部品構成も登録できます（多階層）。",
        "Empty rows are ignored. Open a component later to give it a structure of its own (several levels).",
    ),
    "structure.child_n": ("構成部品{n}", "Component {n}"),
    "structure.same_plant": ("親と同じ", "Same as parent"),
    "structure.add_row": ("行を追加", "Add a row"),
    "structure.no_plant": ("先に事業所を登録してください。", "Register a plant first."),
    # units
    "unit.liter": ("リットル", "litre"),
    "unit.kilogram": ("キログラム", "kilogram"),
    "unit.cubic-meter": ("立方メートル", "cubic metre"),
    "unit.kilowatt-hour": ("キロワット時", "kilowatt-hour"),
    "unit.megajoule": ("メガジュール", "megajoule"),
    "unit.ton-kilometer": ("トンキロ", "tonne-kilometre"),
    "unit.square-meter": ("平方メートル", "square metre"),
    "unit.unit": ("個", "unit"),
    # CSV import
    "import.title": ("CSVから製品を登録", "Register products from CSV"),
    "import.intro": (
        "1行に1部品。parentPartsName が空の行は製品（または中間部品）、空でない行はその親の構成部品です。構成部品を別の行の親にすれば多階層になります。",
        "One part per row. A row without parentPartsName is a product (or an intermediate part); a row with it is a component of that parent. Make a component the parent of other rows for more levels.",
    ),
    "import.columns": (
        "列（1行目は見出し）と例",
        "Columns (the first line is the header) and an example",
    ),
    "import.rules": (
        "openPlantId は登録済みの事業所、amountRequired は親1単位あたりの量、terminatedFlag は自社内で完結する部品なら true。エラーが1つでもあれば何も登録しません。",
        "openPlantId must be one of your plants, amountRequired is per unit of the parent, terminatedFlag true for parts made in-house. A file with any error registers nothing.",
    ),
    "import.file": ("CSVファイル（UTF-8 または Shift_JIS）", "CSV file (UTF-8 or Shift_JIS)"),
    "import.submit": ("取り込む", "Import"),
    "import.progress_label": ("取り込みの進捗", "Import progress"),
    "import.network_failed": (
        "送信できませんでした。もう一度お試しください。",
        "The file could not be sent. Please try again.",
    ),
    "import.row": ("行", "Row"),
    "import.column": ("列", "Column"),
    "import.message": ("内容", "Problem"),
    "import.checking": ("内容を確認しています…", "Checking the rows…"),
    "import.progress": (
        "{done} / {total} 件の部品構成を書き込みました（完了まで確定しません）",
        "{done} of {total} structures written (stored when all are)",
    ),
    "import.failed_rows": (
        "{count} 行にエラーがあります。何も登録していません。",
        "{count} row(s) have errors; nothing was registered.",
    ),
    "import.finished": ("{count} 件を登録しました。", "{count} registered."),
    "import.failed_at": (
        "{row} 行目を登録できなかったため、何も登録していません。",
        "Row {row} could not be stored, so nothing was registered.",
    ),
    "import.missing_columns": ("必須の列がありません", "required columns are missing"),
    "import.too_many": ("行数が上限（{max}行）を超えています", "more than {max} rows"),
    "import.unreadable": (
        "CSV として読めません（長すぎるセルなど）",
        "cannot be read as CSV (a cell too long, for one)",
    ),
    "import.duplicate": ("同じ部品が {row} 行目にもあります", "the same part is on row {row} too"),
    "import.unknown_parent": ("この親部品を定義する行がありません", "no row defines this parent"),
    "import.unknown_plant": (
        "この事業所識別子の事業所は登録されていません",
        "not one of your plants",
    ),
    "import.bad_flag": ("true または false を指定してください", "must be true or false"),
}
