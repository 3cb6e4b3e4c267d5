from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import PageForm


class LoginForm(PageForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in")
    next = HiddenField()


class PasswordForm(PageForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=8, max=200)],
                        description="At least 8 characters. Every other session of yours ends.")
    confirm = PasswordField("New password again", validators=[DataRequired(),
                                                              EqualTo("new", message="The two new passwords differ.")])
