"""The 明示 notice that goes with a third-party release (法43条4項), and the recipient's duties (法44〜46条).

Written into a third-party release at creation (so its checksum is in the manifest) and copied verbatim
into the provision bundle. The wording follows the Act; the items come from the published document, so
the recipient is told exactly what was published.
"""

from __future__ import annotations

from typing import Any

NOTICE_MD = "provision_notice.ja.md"


def markdown(doc: dict[str, Any]) -> str:
    items = "\n".join(f"- {i['table']}: {i['label']}" for i in doc["items"])
    return f"""# 匿名加工情報の提供に関する明示

提供先: {doc["recipient_category"]}
データ名称: {doc["dataset_name"]}
リリースID: {doc["release_id"]}
作成日: {doc["created_date_ja"]}

## 1. 匿名加工情報である旨の明示

本データは、個人情報の保護に関する法律(以下「法」)第2条第6項に規定する**匿名加工情報**です。
法第43条第4項に基づき、提供に係る情報が匿名加工情報である旨をここに明示します。

## 2. 含まれる個人に関する情報の項目

{items}

提供の方法: {doc["provision_method"]}

これらの項目及び提供の方法は、提供に先立ち公表しています。

## 3. 受領者の義務

1. **識別行為の禁止(法第45条)**: 本データに係る本人を識別するために、加工の方法に関する情報を取得し、
   又は本データを他の情報と照合してはなりません。
2. **第三者提供時の公表・明示(法第44条)**: 本データを第三者に提供するときは、あらかじめ、提供する情報に
   含まれる個人に関する情報の項目及び提供の方法を公表し、提供先に対して当該情報が匿名加工情報である旨を
   明示しなければなりません。
3. **安全管理措置等(法第46条)**: 本データの安全管理のために必要かつ適切な措置、苦情の処理その他の適正な
   取扱いを確保するために必要な措置を自ら講じ、その内容を公表するよう努めなければなりません。

## 4. 同梱物

- `data/`: 匿名加工情報の本体(Parquet形式)
- `manifest.json`、`SHA256SUMS`: 各ファイルのSHA-256チェックサム(受領後に照合してください)
- `data_dictionary.ja.md`、`data_dictionary.json`: 各列の意味・粒度・型
- `validation/results.json`: 出力検証の結果

## 5. 苦情・問い合わせ窓口

{doc["contact"] or "(未設定)"}
"""
