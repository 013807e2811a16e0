"""A demo assembly in Thai, so anyone can try a collect step with a phone and a projector.

Its passwords are made afresh on every start and printed (never one written in the source,
which anyone who reads the repository knows), and its seeded participants hold random device
tokens nobody has, so no cookie a visitor could guess acts as one of them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from assembly import joining, services
from assembly.runtime import Runtime
from assembly.security import new_token, token_hash
from deliberation.proposals import submit_proposal

DEMO_PASSWORD_BYTES = 9  # 12 URL-safe characters: easy to type from the terminal, not to guess

# Written for the demo (not taken from any real assembly): (network, proposal)
DEMO_PROPOSALS: tuple[tuple[str, str], ...] = (
    ("government", "เปิดเผยงบประมาณของ อบต. ทุกโครงการบนป้ายหน้าที่ทำการและในเว็บไซต์"),
    ("government", "จัดอบรมเจ้าหน้าที่รัฐเรื่องการบริการด้วยความซื่อสัตย์ ไม่รับของกำนัล"),
    ("government", "ให้ประชาชนประเมินความพึงพอใจการให้บริการของหน่วยงานผ่าน QR code"),
    ("government", "ส่งเสริมการใช้จักรยานและเดินเท้าในเขตเทศบาล ลดอุบัติเหตุ"),
    ("government", "ตั้งศูนย์รับเรื่องร้องเรียนการทุจริตที่คุ้มครองผู้แจ้ง"),
    ("business", "ร้านค้าในตลาดสดใช้ตาชั่งที่ผ่านการตรวจรับรอง ติดป้ายราคาชัดเจน"),
    ("business", "บริษัทในจังหวัดให้พนักงานลาไปทำกิจกรรมจิตอาสาได้ปีละสองวัน"),
    ("business", "สนับสนุนวิสาหกิจชุมชนให้ทำบัญชีรายรับรายจ่ายอย่างโปร่งใส"),
    ("business", "ห้างร้านร่วมกันลดการใช้ถุงพลาสติก ให้ส่วนลดคนนำถุงผ้ามาเอง"),
    ("business", "ผู้ประกอบการรถโดยสารต้องตรวจแอลกอฮอล์คนขับก่อนออกรถทุกเที่ยว"),
    ("civil_society", "ตั้งกลุ่มเยาวชนจิตอาสาดูแลผู้สูงอายุที่อยู่บ้านคนเดียวในหมู่บ้าน"),
    ("civil_society", "ชวนครอบครัวกินข้าวเย็นด้วยกันอย่างน้อยสัปดาห์ละสามวัน วางมือถือ"),
    ("civil_society", "ทำบัญชีครัวเรือนทุกบ้าน ลดหนี้นอกระบบตามหลักเศรษฐกิจพอเพียง"),
    ("civil_society", "ปลูกผักสวนครัวรั้วกินได้ แบ่งปันเพื่อนบ้าน"),
    ("civil_society", "รณรงค์สวมหมวกนิรภัยร้อยเปอร์เซ็นต์ในหมู่บ้าน เริ่มจากผู้ใหญ่เป็นแบบอย่าง"),
    ("civil_society", "ชุมชนช่วยกันคัดแยกขยะ ตั้งธนาคารขยะในหมู่บ้าน"),
    ("civil_society", "อยากให้มีลานกีฬาและพื้นที่สร้างสรรค์ให้เด็กๆ แทนการติดเกม"),
    ("civil_society", "งานบุญงานศพไม่เลี้ยงเหล้า ลดค่าใช้จ่ายของเจ้าภาพ"),
    ("education", "โรงเรียนทุกแห่งมีร้านค้าความซื่อสัตย์ที่ไม่มีคนเฝ้า"),
    ("education", "สอนเด็กตรวจสอบข่าวก่อนแชร์ ไม่ส่งต่อข่าวปลอมในกลุ่มไลน์"),
    ("education", "ครูและผู้ปกครองร่วมกันแก้ปัญหาการกลั่นแกล้งในโรงเรียนและในโลกออนไลน์"),
    ("education", "นักเรียนทำโครงงานจิตอาสาในชุมชนเป็นส่วนหนึ่งของการเรียน"),
    ("education", "ไม่ลอกการบ้าน ไม่ทุจริตในการสอบ ครูเป็นแบบอย่างเรื่องความซื่อตรง"),
    ("education", "มหาวิทยาลัยในจังหวัดช่วยเก็บข้อมูลตัวชี้วัดคุณธรรมของจังหวัดทุกปี"),
    ("religion", "ใช้วัดเป็นศูนย์กลางชุมชน เปิดพื้นที่ให้เด็กมาเรียนรู้วันหยุด"),
    ("religion", "ทำบุญแบบพอเพียง ไม่จัดงานใหญ่เกินตัว"),
    ("religion", "ผู้นำศาสนาพุทธ อิสลาม คริสต์ จัดเวทีพูดคุยร่วมกันทุกไตรมาส"),
    ("religion", "ส่งเสริมการรักษาศีลห้าในครอบครัว เริ่มจากการไม่ดื่มสุรา"),
    ("religion", "มัสยิดและวัดร่วมกันดูแลผู้ยากไร้ในพื้นที่ไม่แบ่งศาสนา"),
    ("media", "สื่อท้องถิ่นนำเสนอข่าวดีของคนทำความดีในจังหวัดทุกสัปดาห์"),
    ("media", "สื่อมวลชนตรวจสอบข้อเท็จจริงก่อนเสนอข่าว ไม่พาดหัวเกินจริงเพื่อยอดคลิก"),
    ("media", "ทำเพจกลางของจังหวัดชี้แจงข่าวลือและข่าวปลอมอย่างรวดเร็ว"),
    ("media", "ผลิตคลิปสั้นรณรงค์ความมีวินัยจราจร เผยแพร่ทาง TikTok และ Facebook"),
    ("government", "จัดระเบียบการจอดรถหน้าตลาดและโรงเรียน ให้เข้าแถวรอรับส่งอย่างมีวินัย"),
    ("business", "ส่งเสริมธุรกิจคุณธรรม ให้รางวัลร้านค้าที่ซื่อสัตย์ต่อลูกค้า"),
    ("civil_society", "สภาเด็กและเยาวชนเก็บขยะริมคลองทุกเดือน"),
    ("education", "ลดเวลาหน้าจอของเด็ก ผู้ปกครองอ่านหนังสือกับลูกก่อนนอน"),
    ("religion", "ชวนคนหนุ่มสาวมาเป็นจิตอาสาในงานประเพณีของวัด"),
    ("media", "วิทยุชุมชนจัดรายการให้ผู้สูงอายุเล่าเรื่องภูมิปัญญาท้องถิ่น"),
    ("civil_society", "ห้ามจ่ายเงินใต้โต๊ะเวลาติดต่อราชการ ทุกคนต้องช่วยกันไม่ยอมจ่าย"),
)


@dataclass(frozen=True)
class DemoAssembly:
    assembly_id: int
    join_code: str
    organizer: str
    facilitator: str
    organizer_password: str
    facilitator_password: str


def demo_password() -> str:
    """A fresh password for one run of the demo."""
    return secrets.token_urlsafe(DEMO_PASSWORD_BYTES)


async def create_demo(rt: Runtime) -> DemoAssembly:
    organizer_password, facilitator_password = demo_password(), demo_password()
    organizer = await services.create_user(
        rt,
        username="organizer",
        display_name="ผู้จัด (สาธิต)",
        role="organizer",
        password=organizer_password,
    )
    await services.create_user(
        rt,
        username="facilitator",
        display_name="วิทยากรกระบวนการ (สาธิต)",
        role="facilitator",
        password=facilitator_password,
    )
    actor = services.Actor(user=organizer)
    assembly = await services.create_assembly(
        rt,
        actor=actor,
        name="สมัชชาคุณธรรมจังหวัดตัวอย่าง ครั้งที่ ๑",
        province="จังหวัดตัวอย่าง",
        held_on=date.today(),
        venue="หอประชุมศาลากลางจังหวัด",
    )
    await services.add_facilitator(rt, actor=actor, assembly_id=assembly.id, username="facilitator")
    collect = assembly.steps[0]
    await services.open_step(rt, actor=actor, assembly_id=assembly.id, step_id=collect.id)
    for network, text in DEMO_PROPOSALS:
        device = token_hash(new_token())  # a token no phone holds: nobody can be this seat
        await joining.join_assembly(
            rt, join_code=assembly.join_code, device_hash=device, network_key=network
        )
        await submit_proposal(
            rt, actor=services.Actor(device_hash=device), assembly_id=assembly.id, text=text
        )
    return DemoAssembly(
        assembly.id,
        assembly.join_code,
        "organizer",
        "facilitator",
        organizer_password,
        facilitator_password,
    )
