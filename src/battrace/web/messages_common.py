# ruff: noqa: E501 (catalogue entries are sentences; splitting them hurts translation)
"""The message catalogue's common part (key -> (Japanese, English)): the layout and menu,
forms and error pages, login and password, the dashboard, paging, plants and notifications."""

from __future__ import annotations

COMMON_MESSAGES: dict[str, tuple[str, str]] = {
    # layout
    "a11y.skip": ("本文へ移動", "Skip to content"),
    "header.company": ("ログイン中の事業者", "Logged-in company"),
    "header.language": ("表示言語", "Language"),
    "nav.label": ("メインメニュー", "Main menu"),
    "nav.cfp": ("CFP", "CFP"),
    "nav.home": ("ダッシュボード", "Dashboard"),
    "nav.parts": ("部品・製品", "Parts and products"),
    "nav.sent": ("依頼一覧（送信）", "Requests sent"),
    "nav.received": ("依頼一覧（受信）", "Requests received"),
    "nav.inbox": ("通知", "Notifications"),
    "nav.factors": ("排出係数", "Emission factors"),
    "nav.plants": ("事業所", "Plants"),
    "nav.directory": ("取引先の一覧", "Company directory"),
    "nav.password": ("パスワード変更", "Change password"),
    "nav.logout": ("ログアウト", "Log out"),
    # forms and errors
    "form.errors": ("入力内容を確認してください。", "Please check the fields marked below."),
    "form.save": ("保存", "Save"),
    "form.cancel": ("戻る", "Back"),
    "form.optional": ("任意", "optional"),
    "form.yes": ("はい", "Yes"),
    "form.no": ("いいえ", "No"),
    "error.title": ("エラー", "Error"),
    # field problems (the fixed wording of the validators, in the page's language: i18n.message)
    "problem.blank": ("入力してください。", "Please fill in this field."),
    "problem.number": ("数値で入力してください。", "Please enter a number."),
    "problem.min": ("{n} 以上の値を入力してください。", "Please enter {n} or more."),
    "problem.max": ("{n} 以下の値を入力してください。", "Please enter {n} or less."),
    "problem.above": (
        "{n} より大きい値を入力してください。",
        "Please enter a value greater than {n}.",
    ),
    "problem.places": ("小数点以下は {n} 桁までです。", "At most {n} decimal places."),
    "problem.places5": ("小数点以下は 5 桁までです。", "At most 5 decimal places."),
    "problem.not_allowed": (
        "「{value}」は選べません。一覧から選んでください。",
        "“{value}” is not allowed here; please choose from the list.",
    ),
    "problem.length_max": (
        "{n} 文字以内で入力してください。",
        "Please use at most {n} characters.",
    ),
    "problem.length": (
        "{low}〜{n} 文字で入力してください。",
        "Please use {low} to {n} characters.",
    ),
    "problem.date": (
        "日付を YYYY-MM-DD で入力してください。",
        "Please enter a date as YYYY-MM-DD.",
    ),
    "problem.email": (
        "メールアドレスの形式で入力してください。",
        "Please enter an e-mail address.",
    ),
    "problem.must_blank": ("この項目は空欄にしてください。", "Please leave this field blank."),
    "problem.future": ("今日以降の日付を入力してください。", "Please enter today or a later date."),
    "problem.file_type": (
        "「{value}」形式のファイルは登録できません。PDF・画像・Excel などを選んでください。",
        "Files of type “{value}” cannot be uploaded; please choose a PDF, an image or a spreadsheet.",
    ),
    "problem.uuid": ("一覧から選んでください。", "Please choose from the list."),
    "problem.range": (
        "{low}〜{n} の値を入力してください。",
        "Please enter a value from {low} to {n}.",
    ),
    "problem.integer": (
        "{low}〜{n} の整数を入力してください。",
        "Please enter a whole number from {low} to {n}.",
    ),
    "problem.cid": (
        "CID と 6 桁の数字で入力してください（例：CID001234）。",
        "Please enter CID and 6 digits (e.g. CID001234).",
    ),
    "problem.one_of": ("次のいずれかを入力してください：{value}", "Please enter one of: {value}"),
    "problem.customer_unit": (
        "依頼元はこの部品を別の単位で数えています。宣言単位は {value} にしてください。",
        "Your customer counts this part in another unit: declare the CFP in {value}.",
    ),
    "problem.link_unit": (
        "この部品の CFP は kgCO2e/{unit_declared} で宣言されていますが、依頼元はこの部品を「{unit_counted}」単位で数えています。CFP の宣言単位を合わせるか、別の部品を紐付けてください。",
        "This part's CFP is declared per {unit_declared}, but your customer counts the part in {unit_counted}. Declare the CFP per {unit_counted} or link another part.",
    ),
    "problem.invalid": ("値が正しくありません。", "This value is not valid."),
    "error.home": ("ダッシュボードへ戻る", "Back to the dashboard"),
    "error.not_found": (
        "指定されたデータは存在しないか、閲覧できません。",
        "This item does not exist or you may not see it.",
    ),
    "error.csrf": (
        "フォームの有効期限が切れました。ページを再読み込みしてもう一度送信してください。",
        "This form has expired. Reload the page and send it again.",
    ),
    "error.bad_form": ("送信内容を読み取れませんでした。", "The form could not be read."),
    "error.unavailable": (
        "データベースに接続できません。しばらくしてから再度お試しください。",
        "The database is not available. Please try again shortly.",
    ),
    # login and password
    "login.title": ("ログイン", "Log in"),
    "login.email": ("アカウントID（メールアドレス）", "Account ID (e-mail)"),
    "login.password": ("パスワード", "Password"),
    "login.submit": ("ログイン", "Log in"),
    "login.paused": (
        "ログインの失敗が続いたため、このアカウントIDでのログインを約 {minutes} 分間停止しています。時間をおいてからお試しください。",
        "After repeated failures, logins with this account ID are paused for about {minutes} min. Please try again later.",
    ),
    "login.throttled": (
        "この接続元からのログインの失敗が多すぎるため、しばらくログインを受け付けません。時間をおいてからお試しください。",
        "Too many failed logins from here: logins are paused for a while. Please try again later.",
    ),
    "login.failed": (
        "アカウントIDまたはパスワードが正しくありません。続けて失敗するとしばらくログインできなくなります。",
        "Wrong account ID or password. After repeated failures the account is locked for a while.",
    ),
    "login.logged_out": ("ログアウトしました。", "You have logged out."),
    "password.title": ("パスワード変更", "Change password"),
    "password.current": ("現在のパスワード", "Current password"),
    "password.new": ("新しいパスワード", "New password"),
    "password.confirm": ("新しいパスワード（確認）", "New password (again)"),
    "password.policy": (
        "8〜20文字、英大文字・英小文字・数字・記号（!@#$%^&*）をそれぞれ1文字以上",
        "8 to 20 characters with an upper-case and a lower-case letter, a digit and one of !@#$%^&*",
    ),
    "password.submit": ("変更する", "Change"),
    "password.mismatch": ("確認用のパスワードが一致しません", "the two new passwords differ"),
    "password.wrong": ("現在のパスワードが正しくありません", "the current password is wrong"),
    "password.changed": (
        "パスワードを変更しました。新しいパスワードでログインしてください。",
        "Your password was changed. Log in with the new password.",
    ),
    # dashboard
    "home.title": ("ダッシュボード", "Dashboard"),
    "home.open_sent": ("件の依頼が回答待ち", "requests waiting for an answer"),
    "home.overdue_sent": ("件の依頼が回答期限切れ", "requests past their due date"),
    "home.open_received": ("件の受信依頼が未回答", "received requests to answer"),
    "home.overdue_received": ("件の受信依頼が期限切れ", "received requests overdue"),
    "home.coverage": ("製品のデータ充足状況", "Data coverage of your products"),
    "home.no_products": ("まだ製品が登録されていません。", "No products yet."),
    "home.overdue_list": ("期限切れ", "Overdue"),
    "home.overdue_sent_item": (
        "{part}：{supplier} への依頼（期限 {due}）",
        "{part}: request to {supplier} (due {due})",
    ),
    "home.overdue_received_item": (
        "{customer} からの依頼（期限 {due}）",
        "Request from {customer} (due {due})",
    ),
    "home.none_overdue": ("期限切れの依頼はありません。", "Nothing is overdue."),
    "home.latest": ("最新の通知", "Latest notifications"),
    "home.all_notices": ("すべての通知", "All notifications"),
    # paging
    "pager.label": ("ページ送り", "Pages"),
    "pager.first": ("最初のページ", "First page"),
    "pager.next": ("次のページ", "Next page"),
    # plants
    "plants.title": ("事業所", "Plants"),
    "plants.name": ("事業所名", "Plant name"),
    "plants.address": ("所在地", "Address"),
    "plants.open_id": ("事業所識別子（公開）", "Public plant ID"),
    "plants.open_id_hint": (
        "事業者識別子 {prefix} に続けて数字6桁",
        "your corporate number {prefix} followed by 6 digits",
    ),
    "plants.global_id": ("グローバル事業所識別子", "Global plant ID"),
    "plants.edit": ("編集", "Edit"),
    "plants.edit_title": ("事業所を編集", "Edit plant"),
    "plants.add": ("事業所を追加", "Add a plant"),
    "plants.none": (
        "事業所がまだありません。部品の登録には事業所が必要です。",
        "No plants yet. Parts need a plant.",
    ),
    "plants.saved": ("事業所を保存しました。", "The plant was saved."),
    "plants.then_back": (
        "事業所を保存すると、元の画面に戻ります。",
        "Once the plant is saved, you go back to the form that needed it.",
    ),
    "plants.back": ("元の画面に戻る", "Back to the form"),
    # notifications
    "inbox.title": ("通知", "Notifications"),
    "inbox.empty": ("通知はありません。", "No notifications."),
    "notice.REQUEST_NEW": ("{sender} からCFPの依頼が届きました", "{sender} sent you a CFP request"),
    "notice.CFP_RESPONSED": ("{sender} がCFPを回答しました", "{sender} answered your CFP request"),
    "notice.CFP_UPDATED": (
        "{sender} が回答済みのCFPを更新しました",
        "{sender} updated an answered CFP",
    ),
    "notice.REQUEST_REJECTED": (
        "{sender} が依頼を差し戻しました",
        "{sender} sent your request back",
    ),
    "notice.REQUEST_CANCELED": ("{sender} が依頼を取り消しました", "{sender} cancelled a request"),
    "notice.REPLY_MESSAGE_REGISTERED": (
        "{sender} から返信メッセージが届きました",
        "{sender} replied to a request",
    ),
}


# English singulars of the texts a page shows beside a count (`t(key, count=n)`): with a count
# of 1 the English page shows this text instead of the catalogue's plural one; Japanese has
# no plural form, so its text is always the catalogue's.
ENGLISH_SINGULARS: dict[str, str] = {
    "home.open_sent": "request waiting for an answer",
    "home.overdue_sent": "request past its due date",
    "home.open_received": "received request to answer",
    "home.overdue_received": "received request overdue",
    "home.dd_open_sent": "DD request waiting for an answer",
    "home.dd_open_received": "received DD request to answer",
    "home.dd_overdue": "DD request overdue",
    "chart.others": "{count} other",
    "footprint.incomplete": (
        "{count} part has no value yet, so there is no total (nothing unknown counts as 0)."
    ),
    "import.failed_rows": "{count} row has errors; nothing was registered.",
    "passport.hidden_changes": "{count} hidden change",
}
