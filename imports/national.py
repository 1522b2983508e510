"""The national 建档立卡 register's own column labels and coded values, and what they are in
the portal.

The 全国扶贫开发信息系统 export (2016–2019) and the 防返贫监测信息系统 rosters (2021+) name
columns and write values their own way (县(市、区、旗), 脱贫属性, 乡（镇）内务工, 男性 …). Where the
portal's list is the same, only the label differs; where the portal keeps a coarser list, the
national value maps to the portal's nearest value (documented in docs/imports.md).
"""

# Column labels of the national exports, by the portal's column header.
HEADER_SYNONYMS = {
    "县区": ("县(市、区、旗)", "县(市、区)", "县(区)", "县", "县区名称"),
    "乡镇": ("乡(镇)", "乡镇(街道)", "乡(镇、街道)", "乡镇名称"),
    "行政村": ("村", "行政村名称", "村(社区)"),
    "户编号": ("建档立卡编号", "户号", "贫困户编号"),
    "户主姓名": ("户主",),
    "识别日期": ("首次识别时间", "识别时间", "纳入时间"),
    "主要致贫原因": ("致贫原因1", "致贫原因"),
    "脱贫状态": ("脱贫属性", "脱贫标志"),
    "户联系电话": ("联系电话",),
    "监测对象类型": ("易返贫致贫户(监测对象)类型",),
    "成员姓名": ("姓名",),
    "身份证号": ("证件号码", "身份证号码", "身份证", "公民身份号码"),
    "成员联系电话": ("人联系电话",),
}

RELATION = {
    # The portal keeps the closest kin; the register's other relations map to these.
    "之外孙子": "之孙子",
    "之外孙女": "之孙女",
    "之曾孙子": "之孙子",
    "之曾孙女": "之孙女",
    "之岳父": "其他",
    "之岳母": "其他",
    "之公公": "其他",
    "之婆婆": "其他",
    "之祖父": "其他",
    "之祖母": "其他",
    "之外祖父": "其他",
    "之外祖母": "其他",
    "之兄弟姐妹": "其他",
    "之兄弟媳妇": "其他",
    "之侄儿": "其他",
    "之侄女": "其他",
    "之叔伯": "其他",
    "99": "其他",
}

EDUCATION = {
    # The register does not tell 大专 from 本科: its lowest level is taken.
    "大专及以上": "大专",
    # A child not yet at school has no education level.
    "学龄前儿童": "",
}

WORK_STATUS = {
    "乡(镇)内务工": "乡内务工",
    "乡镇内务工": "乡内务工",
    "乡(镇)外县内务工": "县内务工",
    "县外省内务工": "省内务工",
}

POVERTY_STATUS = {
    "脱贫": "已脱贫",
    # Marked to exit this year, not exited yet.
    "预脱贫": "未脱贫",
}

SEX = {
    "男性": "男",
    "女性": "女",
    "未说明的性别": "",
    "1": "男",
    "2": "女",
}

ATTRIBUTE = {
    "低保户": "低保贫困户",
    "五保户": "特困供养贫困户",
}
