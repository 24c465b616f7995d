"""Password rules as 网络安全等级保护 2.0 (GB/T 22239-2019) level 3 asks for them.

ASVS advises against composition rules and forced rotation; 等保 is the legal duty here, so
passwords must mix at least three of: upper case, lower case, digits, other characters,
and expire after PASSWORD_MAX_AGE_DAYS (see luozhuang_dsj.accounts).

`ChineseCommonPasswordValidator` adds what Django's English list misses: the passwords
Chinese users choose most (`qq123456`, `woaini1314`) and a common word or surname in pinyin
followed by digits or symbols (`Zhangwei@1990`, `Woaini!520`). It works offline.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError

COMMON_LIST = Path(__file__).resolve().parent / "data" / "common_passwords_zh.txt"

# Stems that, followed only by digits and symbols, make a password anyone would try first:
# common surnames and words in pinyin, and the district's own names.
PINYIN_STEMS = frozenset(
    [
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "ma",
        "zhu",
        "hu",
        "guo",
        "he",
        "gao",
        "lin",
        "luo",
        "zheng",
        "liang",
        "xie",
        "song",
        "tang",
        "han",
        "feng",
        "deng",
        "cao",
        "peng",
        "zeng",
        "xiao",
        "tian",
        "dong",
        "yuan",
        "pan",
        "cai",
        "jiang",
        "yu",
        "du",
        "ye",
        "cheng",
        "wei",
        "su",
        "lv",
        "ding",
        "ren",
        "shen",
        "yao",
        "lu",
        "jin",
        "zhong",
        "cui",
        "tan",
        "fan",
        "qian",
        "woaini",
        "aini",
        "woai",
        "aiwo",
        "wode",
        "nihao",
        "haha",
        "hehe",
        "xiaoming",
        "xiaohong",
        "laopo",
        "laogong",
        "baobao",
        "zhongguo",
        "zhonghua",
        "beijing",
        "shanghai",
        "shandong",
        "linyi",
        "luozhuang",
        "lzq",
        "shuangsui",
        "mima",
        "admin",
        "password",
        "passwd",
        "pass",
        "qq",
        "wx",
        "weixin",
        "abc",
    ]
)


class CompositionValidator:
    required_classes = 3

    def validate(self, password: str, user: object | None = None) -> None:
        classes = [
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.required_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、特殊字符中的三类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return "密码须至少包含大写字母、小写字母、数字、特殊字符中的三类。"


def _normalise(password: str) -> str:
    return "".join(c for c in password.lower() if c.isascii() and c.isalnum())


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(_normalise(line) for line in lines if line.strip() and not line.startswith("#"))


class ChineseCommonPasswordValidator:
    message = "该密码过于常见（如常用密码、姓氏或常用词的拼音加数字），容易被猜中，请换一个。"

    def validate(self, password: str, user: object | None = None) -> None:
        normalised = _normalise(password)
        stem = re.sub(r"[^a-z]+$", "", password.lower().strip())
        stem = _normalise(stem)
        if normalised in common_passwords() or stem in common_passwords() or stem in PINYIN_STEMS:
            raise ValidationError(self.message, code="password_too_common")

    def get_help_text(self) -> str:
        return "不能使用常见密码，也不能是姓氏或常用词的拼音加数字。"
